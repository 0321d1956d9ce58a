-- The landed history of creator feeds. Grain: video x snapshot date. Of the day's captures of a
-- creator's feed (one per load that fetched it) only the latest is kept, whole (macros/picking.sql),
-- so the feed is exactly one capture; a video listed twice in the day's feeds then keeps its first
-- feed position. Each build replaces its snapshot date.
with posts as not materialized (
    {{ latest_capture_rows(ref('stg_landing__creator_posts'), ['creator_username']) }}
),

deduplicated as (
    {{ first_row_per(
        'posts',
        ['snapshot_date', 'video_id'],
        'feed_position, creator_username, landing_file'
    ) }}
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
    region,
    load_id,
    run_id,
    captured_at,
    request_seq,
    -- Added for the sponsorship signals (fct_video_snapshots.sponsored_signal); NULL on rows a
    -- build wrote before they existed (the history is never rebuilt).
    description,
    hashtags
from deduplicated
