-- The landed history of hashtag lookups. Grain: query x hashtag x snapshot date: the latest
-- capture of the day (macros/picking.sql). Each build replaces its snapshot date.
with hashtags as (
    select * from {{ ref('stg_landing__hashtags') }}
),

deduplicated as (
    select *
    from hashtags
    qualify row_number() over (
        partition by snapshot_date, query, hashtag_id order by {{ latest_capture_order() }}
    ) = 1
)

select
    snapshot_date,
    query,
    hashtag_id,
    title,
    video_count,
    view_count,
    load_id,
    run_id,
    captured_at,
    request_seq
from deduplicated
