{#
    Grain: follower (roster creator) x followed account, over every snapshot date ever loaded
    (int_followings). Rebuilt whole on every build: the history is one row per edge and sighting,
    small (a roster creator follows hundreds of accounts, refreshed a page a week), and an edge's
    first sighting can move when an earlier date is loaded after a later one.
      - first_seen_date / last_seen_date: the first and last snapshot dates a capture listed it.
        Edges are never dropped: one that a later capture no longer lists keeps its last_seen_date.
      - followed_sec_uid, followed_nickname, followed_follower_count: the latest sighting that
        carried a value (latest date, then the latest capture of that date).
#}
with sightings as (
    select * from {{ ref('int_followings') }}
)

select
    follower_username,
    followed_username,
    arg_max(follower_sec_uid, (snapshot_date, captured_at, load_id)) as follower_sec_uid,
    arg_max(followed_sec_uid, (snapshot_date, captured_at, load_id))
        filter (where followed_sec_uid is not null) as followed_sec_uid,
    arg_max(followed_nickname, (snapshot_date, captured_at, load_id))
        filter (where followed_nickname is not null) as followed_nickname,
    arg_max(followed_follower_count, (snapshot_date, captured_at, load_id))
        filter (where followed_follower_count is not null) as followed_follower_count,
    min(snapshot_date) as first_seen_date,
    max(snapshot_date) as last_seen_date,
    count(*) as snapshots_seen
from sightings
group by follower_username, followed_username
