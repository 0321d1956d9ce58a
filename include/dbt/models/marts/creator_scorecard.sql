-- depends_on: {{ ref('int_signal_rebuild_dates') }}
{{ config(replace_dates='signals') }}
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

    overall_score (0-100, beside the unchanged vetting_score) weighs five parts, each 0..1:
        engagement   0.40  the vetting formula against same-size peers: the niche x follower tier
                           medians of niche_benchmarks when that tier has at least 5 creators with
                           views that date, else the niche's `all` medians
        sentiment    0.15  (creator_audience.net_sentiment + 1) / 2
        authenticity 0.20  creator_audience.comment_authenticity / 100
        consistency  0.15  0.5 * least(posts_per_week_30d / 3, 1)
                           + 0.5 * greatest(1 - max_gap_days_90d / 30, 0); 0 without a post in 90 days
        growth       0.10  0 with has_follower_spike, else least(greatest(0.5 + 10 * follower_growth_30d, 0), 1)
                           (0.5 at no growth, 1 at +5 % in 30 days, 0 at -5 %); unknown without
                           follower_growth_30d (and no spike)
    overall_score = round(100 * sum(weight * part) / sum(weight of the parts present), 2): a part
    that is unknown (no comments sampled, no profile 30 days back) is left out and the weights
    renormalized. NULL without views, like vetting_score. Rebuilt on the `signals` dates, since the
    audience and content signals look back further than the engagement does.
-#}
with engagement as (
    select *, coalesce(is_vetted_only, false) as vetted_only
    from {{ ref('int_creator_engagement') }}
    -- Brand accounts (niche brand:<name>) are tracked for their mentions, not benchmarked.
    where {{ in_replaced_dates() }} and not {{ is_brand_niche('niche') }}
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
        {{ vetting_component('engagement.avg_share_view_ratio', 'niche_medians.p50_avg_share_view_ratio') }} as share_view_component,
        engagement.avg_like_view_ratio is not null as engagement_present,
        niche_medians.p50_avg_like_view_ratio as niche_p50_like,
        niche_medians.p50_avg_comment_view_ratio as niche_p50_comment,
        niche_medians.p50_avg_share_view_ratio as niche_p50_share
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
),

peer_benchmarks as (
    select
        niche,
        follower_tier,
        snapshot_date,
        p50_avg_like_view_ratio,
        p50_avg_comment_view_ratio,
        p50_avg_share_view_ratio
    from {{ ref('niche_benchmarks') }}
    where follower_tier <> 'all' and creators_with_views >= 5 and {{ in_replaced_dates() }}
),

with_parts as (
    select
        scored.*,
        peer_benchmarks.follower_tier is not null as is_peer_benchmark_tier,
        case when engagement_present then
            0.5 * {{ vetting_component('scored.avg_like_view_ratio', 'coalesce(peer_benchmarks.p50_avg_like_view_ratio, scored.niche_p50_like)') }}
            + 0.2 * {{ vetting_component('scored.avg_comment_view_ratio', 'coalesce(peer_benchmarks.p50_avg_comment_view_ratio, scored.niche_p50_comment)') }}
            + 0.3 * {{ vetting_component('scored.avg_share_view_ratio', 'coalesce(peer_benchmarks.p50_avg_share_view_ratio, scored.niche_p50_share)') }}
        end as peer_engagement_part,
        (audience.net_sentiment + 1) / 2 as sentiment_part,
        audience.comment_authenticity / 100 as authenticity_part,
        case
            when signals.creator_username is null then null
            when signals.max_gap_days_90d is null then 0.0
            else 0.5 * least(signals.posts_per_week_30d / 3, 1) + 0.5 * greatest(1 - signals.max_gap_days_90d / 30, 0)
        end as consistency_part,
        -- least/greatest skip NULLs in DuckDB, so an unknown growth is tested first.
        case
            when signals.has_follower_spike then 0.0
            when signals.follower_growth_30d is null then null
            else least(greatest(0.5 + 10 * signals.follower_growth_30d, 0), 1)
        end as growth_part
    from scored
    left join peer_benchmarks
        on peer_benchmarks.niche = scored.niche
        and peer_benchmarks.follower_tier = scored.follower_tier
        and peer_benchmarks.snapshot_date = scored.snapshot_date
    left join {{ ref('creator_audience') }} as audience
        on audience.creator_username = scored.creator_username
        and audience.snapshot_date = scored.snapshot_date
        and {{ in_replaced_dates('audience.snapshot_date') }}
    left join {{ ref('creator_content_signals') }} as signals
        on signals.creator_username = scored.creator_username
        and signals.snapshot_date = scored.snapshot_date
        and {{ in_replaced_dates('signals.snapshot_date') }}
),

overall as (
    select
        *,
        case when peer_engagement_part is not null then
            round(
                100 * (
                    0.40 * peer_engagement_part
                    + coalesce(0.15 * sentiment_part, 0)
                    + coalesce(0.20 * authenticity_part, 0)
                    + coalesce(0.15 * consistency_part, 0)
                    + coalesce(0.10 * growth_part, 0)
                ) / (
                    0.40
                    + case when sentiment_part is not null then 0.15 else 0 end
                    + case when authenticity_part is not null then 0.20 else 0 end
                    + case when consistency_part is not null then 0.15 else 0 end
                    + case when growth_part is not null then 0.10 else 0 end
                ),
                2
            )
        end as overall_score
    from with_parts
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
    -- Ranks are taken over the tracked creators: a creator only tiktok-vet fetched gets none (the
    -- command prints where it stands) and moves no tracked creator's.
    case
        when avg_like_view_ratio is not null and not vetted_only
            then percent_rank() over (
                partition by niche, snapshot_date, avg_like_view_ratio is null or vetted_only
                order by avg_like_view_ratio
            )
    end as like_view_percentile_in_niche,
    like_view_component,
    comment_view_component,
    share_view_component,
    vetting_score,
    case
        when vetting_score is not null and not vetted_only
            then rank() over (
                partition by niche, snapshot_date, vetting_score is null or vetted_only
                order by vetting_score desc
            )
    end as vetting_rank_in_niche,
    peer_engagement_part,
    sentiment_part,
    authenticity_part,
    consistency_part,
    growth_part,
    overall_score,
    vetted_only as is_vetted_only
from overall
