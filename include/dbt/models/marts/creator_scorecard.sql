-- depends_on: {{ ref('int_rebuild_dates') }}
{#
    Grain: creator x snapshot date. A creator's recent posts (the 20 most recently created of its
    posts captured that day) scored against the seed's bands and its niche's benchmarks.

    vetting_score (0-100, NULL without views) is built from engagement relative to the niche, never
    from follower count:
        component(r, b) = r / (r + b)     -- 0.5 at the niche median b, -> 1 far above, -> 0 far below
        vetting_score   = 100 * (0.5 * component(avg like/view,    niche p50 avg like/view)
                               + 0.2 * component(avg comment/view, niche p50 avg comment/view)
                               + 0.3 * component(avg share/view,   niche p50 avg share/view))
    rounded to 2 decimals; the niche medians are niche_benchmarks' `all` tier on the same date.
-#}
with engagement as (
    select *
    from {{ ref('int_creator_engagement') }}
    where {{ in_replaced_dates() }}
),

niche_medians as (
    select
        niche,
        snapshot_date,
        p50_avg_like_view_ratio,
        p50_avg_comment_view_ratio,
        p50_avg_share_view_ratio
    from {{ ref('niche_benchmarks') }}
    where follower_tier = 'all' and {{ in_replaced_dates() }}
),

components as (
    select
        engagement.*,
        {{ vetting_component('engagement.avg_like_view_ratio', 'niche_medians.p50_avg_like_view_ratio') }} as like_view_component,
        {{ vetting_component('engagement.avg_comment_view_ratio', 'niche_medians.p50_avg_comment_view_ratio') }} as comment_view_component,
        {{ vetting_component('engagement.avg_share_view_ratio', 'niche_medians.p50_avg_share_view_ratio') }} as share_view_component
    from engagement
    left join niche_medians
        on niche_medians.niche = engagement.niche
        and niche_medians.snapshot_date = engagement.snapshot_date
),

scored as (
    select
        *,
        round(100 * (0.5 * like_view_component + 0.2 * comment_view_component + 0.3 * share_view_component), 2)
            as vetting_score
    from components
)

select
    creator_username,
    snapshot_date,
    niche,
    sec_uid,
    follower_count,
    follower_tier,
    profile_snapshot_date,
    posts_analyzed,
    posts_with_views,
    posts_with_likes_above_views,
    total_play_count,
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
    {{ like_view_band('avg_like_view_ratio') }} as like_view_band,
    {{ comment_view_band('avg_comment_view_ratio') }} as comment_view_band,
    coalesce(avg_share_view_ratio > 0.01, false) as has_viral_potential,
    case
        when avg_like_view_ratio is not null
            then percent_rank() over (
                partition by niche, snapshot_date, avg_like_view_ratio is null
                order by avg_like_view_ratio
            )
    end as like_view_percentile_in_niche,
    like_view_component,
    comment_view_component,
    share_view_component,
    vetting_score,
    case
        when vetting_score is not null
            then rank() over (
                partition by niche, snapshot_date, vetting_score is null
                order by vetting_score desc
            )
    end as vetting_rank_in_niche
from scored
