"""A vetting's run ids and the model that recognises them spell the same prefix.

``tiktok-vet`` starts its run ids with ``vet.VET_RUN_PREFIX``; ``int_creator_engagement`` marks a
creator vetted-only when every load of the date that fetched it has a run id with that prefix. The
SQL spells the prefix as a literal, so a rename on either side alone would silently mark no one
(or every one) vetted-only.
"""

from __future__ import annotations

import re
from pathlib import Path

from tiktok_engagement.landing import Load
from tiktok_engagement.vet import VET_RUN_PREFIX

MODEL = (
    Path(__file__).resolve().parents[2]
    / "include"
    / "dbt"
    / "models"
    / "intermediate"
    / "engagement"
    / "int_creator_engagement.sql"
)
RUN_ID_PREFIX_TEST = re.compile(r"starts_with\(\s*run_id\s*,\s*'([^']*)'\s*\)")


def test_the_model_tells_vetting_runs_by_the_prefix_vet_gives_them():
    prefixes = RUN_ID_PREFIX_TEST.findall(MODEL.read_text(encoding="utf-8"))
    assert prefixes == [VET_RUN_PREFIX]


def test_the_prefix_never_starts_a_scheduled_or_cli_run_id():
    # Airflow's run ids start with the run type, the CLI's with cli__ (Load.new).
    for run_id in ("scheduled__2026-11-09T00:00:00+00:00", "asset_triggered__x", Load.new().run_id):
        assert not run_id.startswith(VET_RUN_PREFIX)
