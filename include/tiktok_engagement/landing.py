"""The landing zone: explicit Parquet schemas and atomic, deterministic writes.

Layout: ``<landing root>/<dataset>/snapshot_date=YYYY-MM-DD/<part>.parquet``. A file is written
under a temporary name in its final directory and renamed into place, so a reader never sees half a
file; part names are chosen by the caller deterministically, so repeating an extraction for a date
replaces its files instead of adding copies.

The root may be a local path or an fsspec/pyarrow URI (``s3://bucket/prefix``). On S3 (see
:mod:`.objectstore` for its configuration) a file is instead serialised in memory and written
straight to its final key: a PUT makes the whole object visible at once or not at all, whereas a
"rename" there is a copy and a delete, during which the temporary object would be visible.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from .objectstore import is_s3_uri, s3_filesystem, s3_location
from .scavio.records import Hashtag, Profile, Video, raw_json

_TS = pa.timestamp("us", tz="UTC")

_VIDEO_FIELDS = [
    pa.field("video_id", pa.string(), nullable=False),
    pa.field("author_unique_id", pa.string()),
    pa.field("author_nickname", pa.string()),
    pa.field("author_sec_uid", pa.string()),
    pa.field("description", pa.string()),
    pa.field("created_at", _TS, nullable=False),
    pa.field("play_count", pa.int64(), nullable=False),
    pa.field("digg_count", pa.int64(), nullable=False),
    pa.field("comment_count", pa.int64(), nullable=False),
    pa.field("share_count", pa.int64(), nullable=False),
    pa.field("collect_count", pa.int64()),
    pa.field("download_count", pa.int64()),
    pa.field("duration_ms", pa.int64()),
    pa.field("music_title", pa.string()),
    pa.field("music_author", pa.string()),
    pa.field("hashtags", pa.list_(pa.string())),
    pa.field("is_ads", pa.bool_()),
    pa.field("region", pa.string()),
    pa.field("raw_json", pa.string(), nullable=False),
]

SCHEMAS: dict[str, pa.Schema] = {
    "profiles": pa.schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("creator_username", pa.string(), nullable=False),
            pa.field("niche", pa.string()),
            pa.field("unique_id", pa.string(), nullable=False),
            pa.field("sec_uid", pa.string(), nullable=False),
            pa.field("uid", pa.string()),
            pa.field("nickname", pa.string()),
            pa.field("signature", pa.string()),
            pa.field("bio_url", pa.string()),
            pa.field("follower_count", pa.int64(), nullable=False),
            pa.field("following_count", pa.int64()),
            pa.field("aweme_count", pa.int64()),
            pa.field("total_favorited", pa.int64()),
            pa.field("verification_type", pa.int32()),
            pa.field("is_verified", pa.bool_(), nullable=False),
            pa.field("raw_json", pa.string(), nullable=False),
        ]
    ),
    "creator_posts": pa.schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("creator_username", pa.string(), nullable=False),
            pa.field("niche", pa.string()),
            pa.field("sec_uid", pa.string(), nullable=False),
            pa.field("feed_position", pa.int32(), nullable=False),
            *_VIDEO_FIELDS,
        ]
    ),
    "search_results": pa.schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("query", pa.string(), nullable=False),
            pa.field("query_type", pa.string(), nullable=False),
            pa.field("hashtag_id", pa.string()),
            pa.field("page", pa.int32(), nullable=False),
            pa.field("result_rank", pa.int32(), nullable=False),
            *_VIDEO_FIELDS,
        ]
    ),
    "hashtags": pa.schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("query", pa.string(), nullable=False),
            pa.field("hashtag_id", pa.string(), nullable=False),
            pa.field("title", pa.string(), nullable=False),
            pa.field("description", pa.string()),
            pa.field("video_count", pa.int64()),
            pa.field("view_count", pa.int64()),
            pa.field("raw_json", pa.string(), nullable=False),
        ]
    ),
    "request_ledger": pa.schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("request_seq", pa.int64(), nullable=False),
            pa.field("endpoint", pa.string(), nullable=False),
            pa.field("params_json", pa.string(), nullable=False),
            pa.field("item_key", pa.string()),
            pa.field("attempt", pa.int32(), nullable=False),
            pa.field("status", pa.int32()),
            pa.field("error_class", pa.string()),
            pa.field("error_message", pa.string()),
            pa.field("credits_used", pa.int32()),
            pa.field("credits_remaining", pa.int64()),
            pa.field("latency_ms", pa.float64(), nullable=False),
            pa.field("started_at", _TS, nullable=False),
            pa.field("suspect_empty", pa.bool_(), nullable=False),
        ]
    ),
}

DATASETS = tuple(SCHEMAS)


def video_columns(video: Video) -> dict[str, Any]:
    """The typed video columns shared by ``creator_posts`` and ``search_results``."""
    return {
        "video_id": video.video_id,
        "author_unique_id": video.author_unique_id,
        "author_nickname": video.author_nickname,
        "author_sec_uid": video.author_sec_uid,
        "description": video.description,
        "created_at": video.created_at,
        "play_count": video.play_count,
        "digg_count": video.digg_count,
        "comment_count": video.comment_count,
        "share_count": video.share_count,
        "collect_count": video.collect_count,
        "download_count": video.download_count,
        "duration_ms": video.duration_ms,
        "music_title": video.music_title,
        "music_author": video.music_author,
        "hashtags": list(video.hashtags),
        "is_ads": video.is_ads,
        "region": video.region,
        "raw_json": raw_json(video.raw),
    }


def profile_row(
    snapshot_date: date, creator_username: str, niche: str | None, profile: Profile
) -> dict[str, Any]:
    return {
        "snapshot_date": snapshot_date,
        "creator_username": creator_username,
        "niche": niche,
        "unique_id": profile.unique_id,
        "sec_uid": profile.sec_uid,
        "uid": profile.uid,
        "nickname": profile.nickname,
        "signature": profile.signature,
        "bio_url": profile.bio_url,
        "follower_count": profile.follower_count,
        "following_count": profile.following_count,
        "aweme_count": profile.aweme_count,
        "total_favorited": profile.total_favorited,
        "verification_type": profile.verification_type,
        "is_verified": profile.is_verified,
        "raw_json": raw_json(profile.raw),
    }


def hashtag_row(snapshot_date: date, query: str, hashtag: Hashtag) -> dict[str, Any]:
    return {
        "snapshot_date": snapshot_date,
        "query": query,
        "hashtag_id": hashtag.hashtag_id,
        "title": hashtag.title,
        "description": hashtag.description,
        "video_count": hashtag.video_count,
        "view_count": hashtag.view_count,
        "raw_json": raw_json(hashtag.raw),
    }


Rows = Sequence[dict[str, Any]] | Sequence[pa.RecordBatch] | pa.Table


def to_batch(dataset: str, rows: Sequence[dict[str, Any]]) -> pa.RecordBatch:
    """Rows as a record batch under the dataset's schema: lets a caller convert as data arrives."""
    return pa.RecordBatch.from_pylist(list(rows), schema=SCHEMAS[dataset])


def to_table(dataset: str, rows: Rows) -> pa.Table:
    """A table under the dataset's explicit schema (never inferred), from rows, batches or a table.

    A row missing a non-nullable column fails here with the column named, before anything lands.
    """
    schema = SCHEMAS[dataset]
    if isinstance(rows, pa.Table):
        table = rows if rows.schema.equals(schema) else rows.cast(schema)
    elif rows and all(isinstance(row, pa.RecordBatch) for row in rows):
        table = pa.Table.from_batches(rows, schema=schema).combine_chunks()
    else:
        table = pa.Table.from_pylist(list(rows), schema=schema)
    for f in schema:
        column = table.column(f.name)
        if not f.nullable and column.null_count:
            bad = column.is_null().to_pylist().index(True)
            raise ValueError(f"{dataset}: row {bad} has no value for required column '{f.name}'")
    return table


class Landing:
    """Writes and reads the landing zone under one root (local path or URI)."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        self.fs: pafs.FileSystem
        if is_s3_uri(self.root):
            self.fs, self._base = s3_filesystem(), s3_location(self.root)
        elif "://" in self.root:
            self.fs, self._base = pafs.FileSystem.from_uri(self.root)
        else:
            self.fs, self._base = pafs.LocalFileSystem(), self.root
        # Object stores write whole objects: no directories to create, nothing to rename.
        self._whole_object_writes = self.fs.type_name == "s3"

    def partition_dir(self, dataset: str, snapshot_date: date) -> str:
        return f"{self._base}/{dataset}/snapshot_date={snapshot_date.isoformat()}"

    def uri(self, path: str) -> str:
        """A path of this filesystem as a URI a reader (DuckDB, pyarrow) can open."""
        if "://" in self.root:
            scheme = self.root.split("://", 1)[0]
            return f"{scheme}://{path}"
        return path

    def write(self, dataset: str, snapshot_date: date, part: str, rows: Rows) -> str:
        """Write ``rows`` (dicts, record batches from :func:`to_batch`, or a table) atomically as
        ``<part>.parquet`` in the dataset's partition for the date.

        Returns the final path (for S3, ``bucket/key``; :meth:`uri` makes it a URI). An existing
        file of the same name is replaced.
        """
        if dataset not in SCHEMAS:
            raise ValueError(f"unknown dataset '{dataset}'; expected one of {', '.join(DATASETS)}")
        if "/" in part or part.startswith("."):
            raise ValueError(f"part name '{part}' must be a plain file name")
        table = to_table(dataset, rows)
        directory = self.partition_dir(dataset, snapshot_date)
        final = f"{directory}/{part}.parquet"
        if self._whole_object_writes:
            # Serialise first, so that nothing is sent unless the whole file was produced; the
            # store then makes the object visible whole (a PUT, or a completed multipart upload).
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, compression="zstd")
            with self.fs.open_output_stream(final) as out:
                out.write(sink.getvalue())
            return final
        self.fs.create_dir(directory, recursive=True)
        temporary = f"{directory}/.{part}.tmp-{uuid.uuid4().hex}"
        try:
            pq.write_table(table, temporary, filesystem=self.fs, compression="zstd")
            self.fs.move(temporary, final)
        except BaseException:
            # Only the temporary file is ours to remove; the previous final file stays intact.
            with contextlib.suppress(OSError):
                self.fs.delete_file(temporary)
            raise
        return final

    def files(self, dataset: str, snapshot_date: date | None = None) -> list[str]:
        """Final (non-temporary) Parquet files of a dataset, or of one of its partitions."""
        base = (
            self.partition_dir(dataset, snapshot_date)
            if snapshot_date
            else f"{self._base}/{dataset}"
        )
        selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
        return sorted(
            info.path
            for info in self.fs.get_file_info(selector)
            if info.type == pafs.FileType.File
            and info.path.endswith(".parquet")
            and not info.base_name.startswith(".")
        )

    def prune(self, dataset: str, snapshot_date: date, keep: Iterable[str]) -> list[str]:
        """Delete the partition's files whose part name is not in ``keep``; returns what was deleted.

        Used after a full run for a date so that parts from an earlier run with a different
        batching do not linger beside the new ones.
        """
        keep_names = {f"{name}.parquet" for name in keep}
        removed = []
        for path in self.files(dataset, snapshot_date):
            if path.rsplit("/", 1)[-1] not in keep_names:
                self.fs.delete_file(path)
                removed.append(path)
        return removed

    def read(self, dataset: str, snapshot_date: date | None = None) -> pa.Table:
        """Read a dataset (or one partition) under its schema; an empty table when nothing landed."""
        paths = self.files(dataset, snapshot_date)
        schema = SCHEMAS[dataset]
        if not paths:
            return schema.empty_table()
        return pa.concat_tables(pq.read_table(p, filesystem=self.fs, schema=schema) for p in paths)
