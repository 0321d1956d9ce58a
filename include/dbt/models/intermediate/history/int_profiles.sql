-- The landed history of creator profiles. Grain: creator x snapshot date (weekly, so sparse): the
-- latest capture of the day (macros/picking.sql). Each build replaces its snapshot date.
with profiles as (
    select * from {{ ref('stg_landing__profiles') }}
),

deduplicated as (
    select *
    from profiles
    qualify row_number() over (
        partition by snapshot_date, creator_username order by {{ latest_capture_order() }}
    ) = 1
)

select
    snapshot_date,
    creator_username,
    niche,
    unique_id,
    sec_uid,
    nickname,
    follower_count,
    following_count,
    aweme_count,
    total_favorited,
    verification_type,
    is_verified,
    load_id,
    run_id,
    captured_at,
    request_seq
from deduplicated
