-- The landed history of sampled comments. Grain: comment x snapshot date. Of the day's captures
-- of a video's comments (one per load that sampled it) only the latest is kept, whole
-- (macros/picking.sql), so a video's comments are exactly what one sampling returned; a comment
-- listed twice in that capture (a reply also returned as a comment, a page repeated) keeps its
-- first position. Each build replaces its snapshot date.
with comments as (
    {{ latest_capture_rows(ref('stg_landing__comments'), ['video_id']) }}
),

deduplicated as (
    select *
    from comments
    qualify row_number() over (
        partition by snapshot_date, comment_id order by page, comment_rank, landing_file
    ) = 1
)

select
    snapshot_date,
    comment_id,
    video_id,
    creator_username,
    video_author_unique_id,
    sample_source,
    query,
    page,
    comment_rank,
    parent_comment_id,
    text,
    created_at,
    like_count,
    reply_count,
    commenter_unique_id,
    commenter_nickname,
    load_id,
    run_id,
    captured_at,
    request_seq
from deduplicated
