-- The landed history of creator feeds. Grain: video x snapshot date (a video listed twice in one
-- day's feeds keeps its first feed position). Each build replaces its snapshot date.
with posts as (
    select * from {{ ref('stg_landing__creator_posts') }}
),

deduplicated as (
    select *
    from posts
    qualify row_number() over (
        partition by snapshot_date, video_id order by feed_position, creator_username, landing_file
    ) = 1
)

select
    snapshot_date,
    video_id,
    creator_username,
    niche,
    sec_uid,
    feed_position,
    author_unique_id,
    author_nickname,
    created_at,
    play_count,
    digg_count,
    comment_count,
    share_count,
    collect_count,
    download_count,
    duration_ms,
    is_ads,
    region
from deduplicated
