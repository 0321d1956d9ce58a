"""Object storage for the landing zone: an ``s3://bucket/prefix`` root on AWS or any S3-compatible
server (MinIO, Ceph, moto), configured by the standard AWS variables.

``AWS_ENDPOINT_URL_S3`` (or else ``AWS_ENDPOINT_URL``)
    a custom endpoint such as ``http://127.0.0.1:9000``; unset means AWS itself.
``AWS_DEFAULT_REGION`` (or else ``AWS_REGION``)
    the bucket's region.
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``
    never read here: the AWS SDK inside pyarrow finds them (or a profile, or an instance role)
    through its default credential chain, so no key passes through this code, its errors or logs.

The endpoint is passed to pyarrow explicitly rather than left to ``FileSystem.from_uri``, so
that the ``_S3`` override and ``http`` endpoints behave the same across pyarrow versions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pyarrow.fs as pafs

ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
REGION_VARIABLES = ("AWS_DEFAULT_REGION", "AWS_REGION")


def is_s3_uri(root: str) -> bool:
    return root.lower().startswith("s3://")


def s3_location(uri: str) -> str:
    """``s3://bucket/prefix`` as the ``bucket/prefix`` path pyarrow's S3 filesystem takes.

    Credentials written into the URI are refused (they would end up in XCom, logs and the
    ledger of every run); the message does not repeat them.
    """
    parts = urlsplit(uri)
    if parts.scheme.lower() != "s3":
        raise ValueError(f"not an s3:// URI: {parts.scheme}://...")
    if "@" in parts.netloc:
        raise ValueError(
            "the landing URI must not carry credentials; set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or an AWS profile or role) instead"
        )
    if not parts.netloc:
        raise ValueError(f"the landing URI {uri!r} names no bucket (expected s3://bucket/prefix)")
    return f"{parts.netloc}{parts.path}".rstrip("/")


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return name, value
    return None


def s3_filesystem(env: Mapping[str, str] | None = None) -> pafs.S3FileSystem:
    """A pyarrow S3 filesystem for the endpoint and region in the environment (see module doc)."""
    env = os.environ if env is None else env
    options: dict[str, Any] = {}
    endpoint = _first(env, ENDPOINT_VARIABLES)
    if endpoint is not None:
        name, url = endpoint
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
            raise ValueError(f"{name} must be an http(s) URL like http://127.0.0.1:9000")
        options["endpoint_override"] = parts.netloc
        options["scheme"] = parts.scheme
    region = _first(env, REGION_VARIABLES)
    if region is not None:
        options["region"] = region[1]
    return pafs.S3FileSystem(**options)
