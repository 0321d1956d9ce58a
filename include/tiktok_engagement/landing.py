"""The landing zone: the system of record, append-only, with explicit Parquet schemas.

Layout: ``<landing root>/<dataset>/snapshot_date=YYYY-MM-DD/<file>.parquet``. The live API only
ever answers with today's counts, so a landed day can never be fetched again: nothing here deletes,
replaces or shrinks a landed file. Every extraction attempt is a *load* (:class:`Load`, after dlt's
load ids) and writes files of its own, named by its part, run, attempt and load id, so a re-run, a
retry or a subset run adds files beside the earlier ones; the warehouse models pick one observation
per grain (the latest ``captured_at``). Every row carries its lineage: ``load_id``, ``run_id``,
``run_attempt``, ``captured_at`` (when the answer that produced it arrived) and ``request_seq``,
which with ``load_id`` names the row of the request ledger that produced it.

Writes are atomic. Locally a file is written under a temporary dot-name in its final directory,
fsynced, then linked to its final name (``link`` fails if the name exists, so no file is ever
replaced) and the directory fsynced; readers skip dot-files, so no reader sees half a file, and a
writer killed mid-way leaves only a temporary file that :meth:`Landing.remove_stale_temporaries`
removes later. The root may instead be an ``s3://bucket/prefix`` URI (see :mod:`.objectstore`):
there a file is serialised in memory and written with one PUT, which makes the whole object
visible at once; file names are unique per load, so no PUT lands on an existing key.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from .objectstore import is_s3_uri, s3_filesystem, s3_location
from .scavio.records import Hashtag, Profile, Video, raw_json

if TYPE_CHECKING:
    from typing_extensions import TypeIs

_TS = pa.timestamp("us", tz="UTC")

# Where every row came from. ``request_seq`` is NULL only where no single request produced the row
# (the per-load summary in ``loads``).
LINEAGE_FIELDS: list[pa.Field] = [
    pa.field("load_id", pa.string(), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("run_attempt", pa.int32(), nullable=False),
    pa.field("captured_at", _TS, nullable=False),
    pa.field("request_seq", pa.int64()),
]
LINEAGE_COLUMNS = tuple(f.name for f in LINEAGE_FIELDS)

_VIDEO_FIELDS: list[pa.Field] = [
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


def _schema(fields: list[pa.Field]) -> pa.Schema:
    # The parameter's type gives each field list a type context: inferred alone, a list of fields of
    # different Arrow types joins to list[object], which the pyarrow stubs' pa.schema rejects.
    return pa.schema(fields)


SCHEMAS: dict[str, pa.Schema] = {
    "profiles": _schema(
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
            *LINEAGE_FIELDS,
        ]
    ),
    "creator_posts": _schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("creator_username", pa.string(), nullable=False),
            pa.field("niche", pa.string()),
            pa.field("sec_uid", pa.string(), nullable=False),
            pa.field("feed_position", pa.int32(), nullable=False),
            *_VIDEO_FIELDS,
            *LINEAGE_FIELDS,
        ]
    ),
    "search_results": _schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("query", pa.string(), nullable=False),
            pa.field("query_type", pa.string(), nullable=False),
            pa.field("hashtag_id", pa.string()),
            pa.field("page", pa.int32(), nullable=False),
            pa.field("result_rank", pa.int32(), nullable=False),
            *_VIDEO_FIELDS,
            *LINEAGE_FIELDS,
        ]
    ),
    "hashtags": _schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("query", pa.string(), nullable=False),
            pa.field("hashtag_id", pa.string(), nullable=False),
            pa.field("title", pa.string(), nullable=False),
            pa.field("description", pa.string()),
            pa.field("video_count", pa.int64()),
            pa.field("view_count", pa.int64()),
            pa.field("raw_json", pa.string(), nullable=False),
            *LINEAGE_FIELDS,
        ]
    ),
    # One row per comment (or reply) of a sampled video, in the order the API answered.
    # ``creator_username`` is the tracked creator whose feed the video came from (NULL for a video
    # sampled from a query's results); ``parent_comment_id`` is set on replies only.
    "comments": _schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("video_id", pa.string(), nullable=False),
            pa.field("creator_username", pa.string()),
            pa.field("video_author_unique_id", pa.string()),
            pa.field("sample_source", pa.string(), nullable=False),
            pa.field("query", pa.string()),
            pa.field("page", pa.int32(), nullable=False),
            pa.field("comment_rank", pa.int32(), nullable=False),
            pa.field("comment_id", pa.string(), nullable=False),
            pa.field("parent_comment_id", pa.string()),
            pa.field("text", pa.string(), nullable=False),
            pa.field("created_at", _TS, nullable=False),
            pa.field("like_count", pa.int64(), nullable=False),
            pa.field("reply_count", pa.int64()),
            pa.field("commenter_unique_id", pa.string()),
            pa.field("commenter_nickname", pa.string()),
            pa.field("raw_json", pa.string(), nullable=False),
            *LINEAGE_FIELDS,
        ]
    ),
    # One row per scored comment, written by the scoring step (not by an API request, so
    # ``request_seq`` is NULL and ``captured_at`` is when it was scored). ``comments_load_id`` names
    # the load that landed the comment; ``sentiment_score`` is NULL when the label is ``unscored``.
    "comment_scores": _schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("comment_id", pa.string(), nullable=False),
            pa.field("video_id", pa.string(), nullable=False),
            pa.field("comments_load_id", pa.string(), nullable=False),
            pa.field("language", pa.string()),
            pa.field("language_confidence", pa.float64()),
            pa.field("sentiment_score", pa.float64()),
            pa.field("sentiment_label", pa.string(), nullable=False),
            pa.field("is_question", pa.bool_(), nullable=False),
            pa.field("purchase_intent", pa.bool_(), nullable=False),
            pa.field("is_generic", pa.bool_(), nullable=False),
            pa.field("normalized_text", pa.string(), nullable=False),
            pa.field("terms", pa.list_(pa.string()), nullable=False),
            pa.field("scorer_version", pa.string(), nullable=False),
            *LINEAGE_FIELDS,
        ]
    ),
    # One row per account a roster creator follows, as one page of ``user/followings`` listed it
    # (``page`` 1 is the most recent follows). An edge missing from a later capture is not deleted:
    # the models keep when each edge was first and last seen.
    "followings": _schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("creator_username", pa.string(), nullable=False),
            pa.field("creator_sec_uid", pa.string(), nullable=False),
            pa.field("page", pa.int32(), nullable=False),
            pa.field("position", pa.int32(), nullable=False),
            pa.field("followed_unique_id", pa.string(), nullable=False),
            pa.field("followed_sec_uid", pa.string()),
            pa.field("followed_nickname", pa.string()),
            pa.field("followed_follower_count", pa.int64()),
            pa.field("raw_json", pa.string(), nullable=False),
            *LINEAGE_FIELDS,
        ]
    ),
    # One row per HTTP attempt; ``attempt`` counts the client's retries of one request, while
    # ``run_attempt`` is the try of the task (or CLI run) that sent it.
    "request_ledger": _schema(
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
            pa.field("load_id", pa.string(), nullable=False),
            pa.field("run_attempt", pa.int32(), nullable=False),
            pa.field("captured_at", _TS, nullable=False),
        ]
    ),
    # Items that failed validation, kept with their raw JSON, the request and the reason.
    "rejected": _schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("dataset", pa.string(), nullable=False),
            pa.field("endpoint", pa.string(), nullable=False),
            pa.field("item_key", pa.string()),
            pa.field("item_id", pa.string()),
            pa.field("reason", pa.string(), nullable=False),
            pa.field("raw_json", pa.string(), nullable=False),
            *LINEAGE_FIELDS,
        ]
    ),
    # One row per load, written last: what it was asked to do and how it ended (dlt's _dlt_loads).
    # A load with ledger rows and no row here was killed before it finished.
    "loads": _schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("load_id", pa.string(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("run_attempt", pa.int32(), nullable=False),
            pa.field("kind", pa.string(), nullable=False),
            pa.field("part", pa.string(), nullable=False),
            pa.field("started_at", _TS, nullable=False),
            pa.field("finished_at", _TS, nullable=False),
            pa.field("outcome", pa.string(), nullable=False),
            pa.field("stop_reason", pa.string()),
            pa.field("fresh_capture", pa.bool_(), nullable=False),
            pa.field("api_date", pa.string()),
            pa.field("requests", pa.int64(), nullable=False),
            pa.field("credits_used", pa.int64(), nullable=False),
            pa.field("rows_landed", pa.int64(), nullable=False),
            pa.field("rows_rejected", pa.int64(), nullable=False),
            pa.field("items_done", pa.list_(pa.string()), nullable=False),
            pa.field("items_failed", pa.list_(pa.string()), nullable=False),
            pa.field("items_not_fetched", pa.list_(pa.string()), nullable=False),
        ]
    ),
}

DATASETS = tuple(SCHEMAS)
# The datasets whose rows are API observations (the others record requests and loads).
OBSERVATION_DATASETS = (
    "profiles",
    "creator_posts",
    "search_results",
    "hashtags",
    "comments",
    "followings",
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _slug(text: str, limit: int = 60) -> str:
    return _UNSAFE.sub("-", text).strip("-.")[:limit] or "run"


@dataclass(frozen=True)
class Load:
    """One extraction attempt: the unit that writes files. Its id is unique and time-ordered.

    ``run_id`` is the Airflow run id (or the CLI's own), ``run_attempt`` the task's try number
    (1 for the CLI), ``started_at`` when the load began.
    """

    load_id: str
    run_id: str
    run_attempt: int
    started_at: datetime

    @classmethod
    def new(cls, run_id: str | None = None, run_attempt: int = 1) -> Load:
        started = datetime.now(UTC)
        load_id = f"{started:%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:8]}"
        if run_attempt < 1:
            raise ValueError(f"run_attempt must be >= 1, got {run_attempt}")
        return cls(load_id, run_id or f"cli__{load_id}", run_attempt, started)

    def file_name(self, part: str) -> str:
        """The file stem of this load's file for ``part``: unique to the load, readable by a person."""
        return f"{part}__{_slug(self.run_id)}__try{self.run_attempt}__{self.load_id}"

    def lineage(self, captured_at: datetime | None = None, request_seq: int | None = None) -> dict:
        """The lineage columns of a row produced by this load."""
        return {
            "load_id": self.load_id,
            "run_id": self.run_id,
            "run_attempt": self.run_attempt,
            "captured_at": captured_at or self.started_at,
            "request_seq": request_seq,
        }


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


Rows: TypeAlias = Sequence[dict[str, Any]] | Sequence[pa.RecordBatch] | pa.Table


def _is_batches(
    rows: Sequence[dict[str, Any]] | Sequence[pa.RecordBatch],
) -> TypeIs[Sequence[pa.RecordBatch]]:
    """Whether ``rows`` are record batches rather than dicts (callers never mix the two)."""
    return bool(rows) and all(isinstance(row, pa.RecordBatch) for row in rows)


def to_batch(dataset: str, rows: Sequence[dict[str, Any]]) -> pa.RecordBatch:
    """Rows as a record batch under the dataset's schema: lets a caller convert as data arrives."""
    return pa.RecordBatch.from_pylist(list(rows), schema=SCHEMAS[dataset])


def _with_lineage(dataset: str, rows: Rows, load: Load) -> Rows:
    """``rows`` with the load's lineage filled in where a row or the table lacks it."""
    defaults = load.lineage()
    wanted = [c for c in LINEAGE_COLUMNS if c in SCHEMAS[dataset].names]
    if isinstance(rows, pa.Table):
        for name in wanted:
            if name not in rows.column_names:
                field = SCHEMAS[dataset].field(name)
                rows = rows.append_column(
                    field, pa.array([defaults[name]] * rows.num_rows, type=field.type)
                )
        return rows
    if _is_batches(rows):
        return _with_lineage(dataset, pa.Table.from_batches(list(rows)), load)
    fill = {k: defaults[k] for k in wanted}
    return [
        {**fill, **{k: v for k, v in row.items() if v is not None or k not in fill}} for row in rows
    ]


def to_table(dataset: str, rows: Rows) -> pa.Table:
    """A table under the dataset's explicit schema (never inferred), from rows, batches or a table.

    A row missing a non-nullable column fails here with the column named, before anything lands.
    """
    schema = SCHEMAS[dataset]
    if isinstance(rows, pa.Table):
        table = rows if rows.schema.equals(schema) else rows.select(schema.names).cast(schema)
    elif _is_batches(rows):
        # Left in its chunks: the Parquet writer takes them as they are, and combining copies.
        table = pa.Table.from_batches(rows, schema=schema)
    else:
        table = pa.Table.from_pylist(list(rows), schema=schema)
    for f in schema:
        column = table.column(f.name)
        if not f.nullable and column.null_count:
            bad = column.is_null().to_pylist().index(True)
            raise ValueError(f"{dataset}: row {bad} has no value for required column '{f.name}'")
    return table


def fsync_dir(path: str) -> None:
    """Make a directory's entries (a new or renamed file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LandedFileExistsError(FileExistsError):
    """A write would replace a landed file: the landing zone never replaces what it holds."""


class Landing:
    """Writes and reads the landing zone under one root (local path or URI)."""

    TEMPORARY_PREFIX = "."

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
        self._local = self.fs.type_name == "local"

    def partition_dir(self, dataset: str, snapshot_date: date) -> str:
        return f"{self._base}/{dataset}/snapshot_date={snapshot_date.isoformat()}"

    def uri(self, path: str) -> str:
        """A path of this filesystem as a URI a reader (DuckDB, pyarrow) can open."""
        if "://" in self.root:
            scheme = self.root.split("://", 1)[0]
            return f"{scheme}://{path}"
        return path

    def write(
        self, dataset: str, snapshot_date: date, name: str, rows: Rows, *, load: Load | None = None
    ) -> str:
        """Write ``rows`` (dicts, record batches from :func:`to_batch`, or a table) atomically as
        ``<name>.parquet`` in the dataset's partition for the date; returns the final path (for S3
        ``bucket/key``; :meth:`uri` makes it a URI).

        ``name`` should come from :meth:`Load.file_name`. With ``load``, lineage columns the rows
        lack are filled from it. An existing file of that name is never replaced:
        :class:`LandedFileExistsError` is raised and nothing is written.
        """
        if dataset not in SCHEMAS:
            raise ValueError(f"unknown dataset '{dataset}'; expected one of {', '.join(DATASETS)}")
        if "/" in name or name.startswith(".") or not name:
            raise ValueError(f"file name '{name}' must be a plain name not starting with '.'")
        table = to_table(dataset, _with_lineage(dataset, rows, load) if load else rows)
        directory = self.partition_dir(dataset, snapshot_date)
        final = f"{directory}/{name}.parquet"
        if self._whole_object_writes:
            if self.fs.get_file_info(final).type != pafs.FileType.NotFound:
                raise LandedFileExistsError(f"{final} is already landed; it is never replaced")
            # Serialise first, so that nothing is sent unless the whole file was produced; the
            # store then makes the object visible whole (a PUT, or a completed multipart upload).
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, compression="zstd")
            with self.fs.open_output_stream(final) as out:
                out.write(sink.getvalue())
            return final
        if not self._local:
            raise ValueError(
                f"landing root {self.root!r}: only local paths and s3:// are supported"
            )
        os.makedirs(directory, exist_ok=True)
        temporary = f"{directory}/{self.TEMPORARY_PREFIX}{name}.tmp-{uuid.uuid4().hex}"
        try:
            with open(temporary, "wb") as handle:
                pq.write_table(table, handle, compression="zstd")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                # link, unlike rename, refuses to replace an existing name.
                os.link(temporary, final)
            except FileExistsError:
                raise LandedFileExistsError(
                    f"{final} is already landed; it is never replaced"
                ) from None
            fsync_dir(directory)
        finally:
            # Only the temporary name is ours to remove; the final file (if linked) stays.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
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
            and not info.base_name.startswith(self.TEMPORARY_PREFIX)
        )

    def stale_temporaries(
        self, older_than_s: float = 3600.0, snapshot_date: date | None = None
    ) -> list[str]:
        """Temporary files left by killed writers, older than ``older_than_s`` seconds (in the
        partitions of ``snapshot_date`` only, when given).

        Only names this class creates (``.<name>.tmp-<hex>``) qualify, so nothing a reader treats
        as data is ever a candidate; a live writer's file is seconds old, far below the default.
        """
        if not self._local:
            return []  # whole-object writes leave no temporary objects
        cutoff = time.time() - older_than_s
        bases = (
            [self.partition_dir(dataset, snapshot_date) for dataset in DATASETS]
            if snapshot_date
            else [self._base]
        )
        found = []
        for base in bases:
            selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
            found += [
                info.path
                for info in self.fs.get_file_info(selector)
                if info.type == pafs.FileType.File
                and info.base_name.startswith(self.TEMPORARY_PREFIX)
                and ".tmp-" in info.base_name
                and info.mtime is not None
                and info.mtime.timestamp() < cutoff
            ]
        return sorted(found)

    def remove_stale_temporaries(
        self, older_than_s: float = 3600.0, snapshot_date: date | None = None
    ) -> list[str]:
        """Delete :meth:`stale_temporaries`; returns what was removed. Never touches landed files."""
        removed = []
        for path in self.stale_temporaries(older_than_s, snapshot_date):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
                removed.append(path)
        return removed

    def read(self, dataset: str, snapshot_date: date | None = None) -> pa.Table:
        """Read a dataset (or one partition) under its schema; an empty table when nothing landed.

        Files landed before a column existed read with NULLs in it.
        """
        paths = self.files(dataset, snapshot_date)
        schema = SCHEMAS[dataset]
        if not paths:
            return _conform(schema.empty_table(), schema)
        return pa.concat_tables(
            _conform(pq.read_table(p, filesystem=self.fs), schema) for p in paths
        )


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` under ``schema``: missing columns as NULLs, extra ones dropped (read side only,
    so the schema's NOT NULL marks are relaxed for files landed before a column existed)."""
    columns = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, names=schema.names)
