-- The landed history of query results. Grain: query x video x snapshot date. Of the day's captures
-- of a query (one per load that ran it) only the latest is kept, whole (macros/picking.sql), so
-- "videos found" is one capture's; a video returned twice for the query then keeps its best
-- position. Each build replaces its snapshot date.
with results as not materialized (
    {{ latest_capture_rows(ref('stg_landing__search_results'), ['query']) }}
),

deduplicated as (
    {{ first_row_per(
        'results',
        ['snapshot_date', 'query', 'video_id'],
        'page, result_rank, landing_file'
    ) }}
)

select
    snapshot_date,
    query,
    query_type,
    hashtag_id,
    video_id,
    page,
    result_rank,
    author_unique_id,
    author_nickname,
    author_sec_uid,
    created_at,
    play_count,
    digg_count,
    comment_count,
    share_count,
    collect_count,
    load_id,
    run_id,
    captured_at,
    request_seq,
    -- Added for the sponsorship signals (fct_video_snapshots.sponsored_signal); NULL on rows a
    -- build wrote before they existed (the history is never rebuilt).
    description,
    hashtags,
    is_ads
from deduplicated
