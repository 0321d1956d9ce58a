-- depends_on: {{ ref('int_rebuild_dates') }}
{#
    Grain: niche x follower tier x snapshot date, with follower_tier one of the five tiers or
    `all` (every creator of the niche, including those without a profile yet). Every niche seen on
    a date gets all six rows; a tier without creators has creators = 0 and NULL percentiles.
    Percentiles are continuous (interpolated) over creators' avg_*_view_ratio, creators without
    views left out.
-#}
with engagement as (
    select *
    from {{ ref('int_creator_engagement') }}
    -- Brand accounts (niche brand:<name>) are tracked for their mentions, not benchmarked; nor
    -- are creators only tiktok-vet fetched (candidates, not the tracked population).
    where {{ in_replaced_dates() }} and not {{ is_brand_niche('niche') }}
        and not coalesce(is_vetted_only, false)
),

tiers as (
    select unnest({{ follower_tiers() + ['all'] }}) as follower_tier
),

grid as (
    select distinct engagement.niche, engagement.snapshot_date, tiers.follower_tier
    from engagement
    cross join tiers
),

creator_tiers as (
    select *, follower_tier as tier_key from engagement where follower_tier is not null
    union all
    select *, 'all' as tier_key from engagement
),

aggregated as (
    select
        niche,
        snapshot_date,
        tier_key as follower_tier,
        count(*) as creators,
        count(avg_like_view_ratio) as creators_with_views,
        quantile_cont(avg_like_view_ratio, 0.25) as p25_avg_like_view_ratio,
        quantile_cont(avg_like_view_ratio, 0.50) as p50_avg_like_view_ratio,
        quantile_cont(avg_like_view_ratio, 0.75) as p75_avg_like_view_ratio,
        quantile_cont(avg_like_view_ratio, 0.90) as p90_avg_like_view_ratio,
        quantile_cont(avg_comment_view_ratio, 0.50) as p50_avg_comment_view_ratio,
        quantile_cont(avg_share_view_ratio, 0.50) as p50_avg_share_view_ratio,
        quantile_cont(avg_engagement_rate, 0.50) as p50_avg_engagement_rate
    from creator_tiers
    group by niche, snapshot_date, tier_key
)

select
    grid.niche,
    grid.follower_tier,
    grid.snapshot_date,
    coalesce(aggregated.creators, 0) as creators,
    coalesce(aggregated.creators_with_views, 0) as creators_with_views,
    aggregated.p25_avg_like_view_ratio,
    aggregated.p50_avg_like_view_ratio,
    aggregated.p75_avg_like_view_ratio,
    aggregated.p90_avg_like_view_ratio,
    aggregated.p50_avg_comment_view_ratio,
    aggregated.p50_avg_share_view_ratio,
    aggregated.p50_avg_engagement_rate,
    {{ healthy_range_columns() }}
from grid
left join aggregated
    on aggregated.niche = grid.niche
    and aggregated.snapshot_date = grid.snapshot_date
    and aggregated.follower_tier = grid.follower_tier
