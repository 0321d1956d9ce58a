-- depends_on: {{ ref('int_rebuild_dates') }}
-- Scheduling only, this model does not read it: built after fct_video_snapshots so that the two
-- never run at once. Beside another large model, the fact's window sorts outgrow the build's
-- memory limit and spill.
-- depends_on: {{ ref('fct_video_snapshots') }}
{#
    A creator's engagement on a snapshot date, over its recent posts: the 20 most recently created
    of the creator's posts captured that day. Grain: creator x snapshot date.
    avg_* is the mean of per-post ratios over posts with views, median_* their median (the mean of
    the two middle values for an even count), pooled_* the sum of numerators over the sum of views
    of posts with views. follower_count is the latest profile on or before the date.
    is_vetted_only: every load of the date that fetched the creator's feed was a `tiktok-vet` run
    (run id vet__...): an ad-hoc candidate, not one of the tracked creators that niche benchmarks
    and in-niche ranks are taken over. NULL on rows built before the column existed.
-#}
with posts as not materialized (
    select *
    from {{ ref('int_creator_posts') }}
    where {{ in_replaced_dates() }}
),

-- A feed holds at most the posts asked for, usually 20 or fewer: only a larger one is ranked.
recent_posts as (
    {{ first_rows_per('posts', ['creator_username', 'snapshot_date'], 'created_at desc, video_id', 20) }}
),

post_ratios as (
    select
        *,
        {{ safe_ratio('digg_count', 'play_count') }} as like_view_ratio,
        {{ safe_ratio('comment_count', 'play_count') }} as comment_view_ratio,
        {{ safe_ratio('share_count', 'play_count') }} as share_view_ratio,
        {{ safe_ratio('digg_count + comment_count + share_count', 'play_count') }} as engagement_rate
    from recent_posts
),

per_creator as (
    select
        creator_username,
        snapshot_date,
        max(niche) as roster_niche,
        max(sec_uid) as sec_uid,
        count(*) as posts_analyzed,
        count(*) filter (where play_count > 0) as posts_with_views,
        count(*) filter (where digg_count > play_count) as posts_with_likes_above_views,
        sum(play_count) as total_play_count,
        sum(digg_count) as total_digg_count,
        sum(comment_count) as total_comment_count,
        sum(share_count) as total_share_count,
        avg(like_view_ratio) as avg_like_view_ratio,
        {{ group_median('like_view_ratio') }} as median_like_view_ratio,
        {{ safe_ratio('sum(digg_count) filter (where play_count > 0)', 'sum(play_count)') }} as pooled_like_view_ratio,
        avg(comment_view_ratio) as avg_comment_view_ratio,
        {{ group_median('comment_view_ratio') }} as median_comment_view_ratio,
        {{ safe_ratio('sum(comment_count) filter (where play_count > 0)', 'sum(play_count)') }} as pooled_comment_view_ratio,
        avg(share_view_ratio) as avg_share_view_ratio,
        {{ group_median('share_view_ratio') }} as median_share_view_ratio,
        {{ safe_ratio('sum(share_count) filter (where play_count > 0)', 'sum(play_count)') }} as pooled_share_view_ratio,
        avg(engagement_rate) as avg_engagement_rate,
        min(created_at) as oldest_post_created_at,
        max(created_at) as newest_post_created_at
    from post_ratios
    group by creator_username, snapshot_date
),

-- Creator items of the date's feed loads, kept when only vet runs fetched them.
vet_only as (
    select snapshot_date, item_key
    from (
        select snapshot_date, run_id, unnest(items_done) as item_key
        from {{ ref('stg_landing__loads') }}
        where kind = 'creators' and {{ in_replaced_dates() }}
    ) as done
    group by snapshot_date, item_key
    having bool_and(starts_with(run_id, 'vet__'))
),

with_profile as (
    select
        per_creator.*,
        profiles.snapshot_date as profile_snapshot_date,
        profiles.follower_count,
        profiles.niche as profile_niche
    from per_creator
    asof left join {{ ref('int_profiles') }} as profiles
        on per_creator.creator_username = profiles.creator_username
        and per_creator.snapshot_date >= profiles.snapshot_date
),

with_vet_flag as (
    select with_profile.*, vet_only.item_key is not null as is_vetted_only
    from with_profile
    left join vet_only
        on vet_only.snapshot_date = with_profile.snapshot_date
        and vet_only.item_key = 'creator:' || lower(with_profile.creator_username)
)

select
    creator_username,
    snapshot_date,
    coalesce(roster_niche, profile_niche, 'unknown') as niche,
    sec_uid,
    follower_count,
    {{ follower_tier('follower_count') }} as follower_tier,
    profile_snapshot_date,
    posts_analyzed,
    posts_with_views,
    posts_with_likes_above_views,
    total_play_count,
    total_digg_count,
    total_comment_count,
    total_share_count,
    avg_like_view_ratio,
    median_like_view_ratio,
    pooled_like_view_ratio,
    avg_comment_view_ratio,
    median_comment_view_ratio,
    pooled_comment_view_ratio,
    avg_share_view_ratio,
    median_share_view_ratio,
    pooled_share_view_ratio,
    avg_engagement_rate,
    oldest_post_created_at,
    newest_post_created_at,
    is_vetted_only
from with_vet_flag
