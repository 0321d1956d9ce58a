"""dbt-duckdb plugin: DuckDB reads an ``s3://`` landing root through pyarrow, without httpfs.

Listed under ``plugins:`` in ``include/dbt/profiles.yml`` with the landing root as its config.
When the root is ``s3://...`` it registers, on dbt's DuckDB connection, the same S3 filesystem the
landing writes through (:func:`tiktok_engagement.objectstore.s3_filesystem`, configured by the AWS
variables), wrapped for fsspec; staging's ``glob()`` and ``read_parquet('s3://...')`` then go
through it. For a local root it does nothing.

Why not the profile's ``filesystems:`` option (``fs: s3`` builds an s3fs filesystem): DuckDB asks
a registered filesystem for ``modified()``, which the locked s3fs (0.4.x) does not implement, and
it is also better that the writer and the reader share one endpoint and credential configuration.
DuckDB's httpfs extension would be faster, but it is downloaded at first use, which a worker
without internet cannot do.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from ..objectstore import is_s3_uri, s3_filesystem


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.landing_root = str(plugin_config.get("landing_root") or "")

    def configure_connection(self, conn: Any) -> None:
        if is_s3_uri(self.landing_root):
            # Imported here: a local landing root needs nothing beyond DuckDB itself.
            from fsspec.implementations.arrow import ArrowFSWrapper

            # ArrowFSWrapper's protocol is the pyarrow filesystem's type name, "s3".
            conn.register_filesystem(ArrowFSWrapper(s3_filesystem()))
