-- The landed history of the creator graph. Grain: follower (roster creator) x followed account x
-- snapshot date: every account a user/followings page listed for the creator that day. The grain
-- is the edge, so every capture of the day counts (a backfill cut short by a credit cap and its
-- completing retry, a refresh beside a backfill): an account listed by any of them was followed
-- that day. Its columns come from the latest capture that listed it (macros/picking.sql's order);
-- an account listed twice by one capture (the list moved while it was paged) keeps its first
-- position. Each build replaces its snapshot date.
with followings as (
    select * from {{ ref('stg_landing__followings') }}
),

deduplicated as (
    select *
    from followings
    qualify row_number() over (
        partition by snapshot_date, creator_username, followed_unique_id
        order by {{ latest_capture_order() }}, page, position
    ) = 1
)

select
    snapshot_date,
    creator_username as follower_username,
    creator_sec_uid as follower_sec_uid,
    followed_unique_id as followed_username,
    followed_sec_uid,
    followed_nickname,
    followed_follower_count,
    page,
    position,
    load_id,
    run_id,
    captured_at,
    request_seq
from deduplicated
