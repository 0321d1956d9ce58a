-- The landed history of creator profiles. Grain: creator x snapshot date (weekly, so sparse).
-- Each build replaces its snapshot date.
with profiles as (
    select * from {{ ref('stg_landing__profiles') }}
),

deduplicated as (
    select *
    from profiles
    qualify row_number() over (
        partition by snapshot_date, creator_username order by follower_count desc, landing_file
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
    is_verified
from deduplicated
