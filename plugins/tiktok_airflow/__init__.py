"""Airflow adapters for the TikTok engagement warehouse.

The library (``include/tiktok_engagement``) never imports Airflow; this package is the thin layer
between the two:

- :mod:`.hooks`: ``ScavioHook`` turns the ``scavio_default`` connection into library ``Settings``.
- :mod:`.wiring`: assets, pools, default arguments and params shared by the DAG files.
- :mod:`.runtime`: snapshot date of a run, failure policy (what fails at once, what retries).
- :mod:`.creator_posts`, :mod:`.search_trends`, :mod:`.warehouse`: the bodies of each DAG's tasks,
  one function per task, named as the task; :mod:`.extract_common`: what the extract two share.
- :mod:`.pools`: the one place that creates the pools.
- :mod:`.callbacks`: the failure callback (logging; the place to plug alerts in).
- :mod:`.report_app`: the FastAPI app that serves the HTML report inside the Airflow UI.

Modules here import the library lazily (inside functions) so that parsing a DAG file stays cheap.
``plugins/.airflowignore`` keeps Airflow's plugin loader from importing these files one by one as
top-level modules; ``plugins/tiktok_report_plugin.py`` is the only plugin entry point.
"""
