-- depends_on: {{ ref('int_rebuild_dates') }}
{#
    Grain: video x snapshot date. Counts are snapshots: every day's counts are kept, and the
    *_gained columns compare with the video's previous snapshot (any earlier date it was seen on,
    not necessarily the day before); NULL on its first snapshot.
    On an incremental build only the videos seen on the replaced dates are read, with their
    earlier history, so the window below never scans the whole table's partitions. The history
    is referenced twice rather than through one CTE: DuckDB materializes a CTE used twice, which
    would copy every column of every landed day on each build; for the same reason `candidates`
    is not materialized.
    A video's caption rarely changes between its snapshots, so sponsored_signal (five regular
    expressions over the caption) is computed once per caption variant (caption_signals,
    macros/variants.sql) and joined to the snapshots on the video and a hash of the caption, its
    hashtags and the ad flag.
-#}
{% set caption_columns = [('description', 'description'), ('hashtags', 'hashtags'), ('is_ads', 'is_ads')] %}
{% if is_incremental() %}
with replaced_dates as (
    {{ replaced_snapshot_dates_sql() }}
),

touched_videos as (
    select distinct video_id
    from {{ ref('int_video_observations') }}
    where snapshot_date in (select snapshot_date from replaced_dates)
),

candidates as not materialized (
    select observations.*
    from {{ ref('int_video_observations') }} as observations
    semi join touched_videos on observations.video_id = touched_videos.video_id
    where observations.snapshot_date <= (select max(snapshot_date) from replaced_dates)
),
{% else %}
with candidates as not materialized (
    select * from {{ ref('int_video_observations') }}
),
{% endif %}

caption_signals as (
    select
        video_id,
        caption_key,
        {{ sponsored_signal('description', 'hashtags', 'is_ads') }} as sponsored_signal
    from (
        {{ caption_variants('candidates', caption_columns, in_replaced_dates()) }}
    ) as variants
),

-- The caption's signal replaces the caption before the windows, which sort every column they
-- carry (the caption and its hashtags were most of their bytes). Joined here, on the scan, rather
-- than after the windows: there the join's probe competes with the windows' sorted data for the
-- memory limit and both spill.
keyed as not materialized (
    select
        candidates.* exclude (description, hashtags),
        caption_signals.sponsored_signal
    from candidates
    left join caption_signals
        on caption_signals.video_id = candidates.video_id
        and caption_signals.caption_key = {{ caption_key(caption_columns) }}
),

with_previous as (
    select
        *,
        lag(snapshot_date) over by_video as previous_snapshot_date,
        lag(play_count) over by_video as previous_play_count,
        lag(digg_count) over by_video as previous_digg_count,
        lag(comment_count) over by_video as previous_comment_count,
        lag(share_count) over by_video as previous_share_count
    from keyed
    window by_video as (partition by video_id order by snapshot_date)
),

current_snapshots as (
    select *
    from with_previous
    where {{ in_replaced_dates() }}
),

measured as (
    select
        *,
        play_count - previous_play_count as views_gained,
        digg_count - previous_digg_count as likes_gained,
        comment_count - previous_comment_count as comments_gained,
        share_count - previous_share_count as shares_gained,
        digg_count > play_count as has_likes_above_views,
        coalesce(
            play_count < previous_play_count
            or digg_count < previous_digg_count
            or comment_count < previous_comment_count
            or share_count < previous_share_count,
            false
        ) as has_count_decrease,
        -- Epoch arithmetic: a time-zone conversion per row costs more than the window below.
        ln(greatest(
            (epoch(cast(snapshot_date + 1 as timestamp)) - epoch(created_at)) / 3600.0, 1.0
        )) as log_age_hours
    from current_snapshots
),

-- Only feed rows have similar-age peers: a row seen only in searches gets a partition of its own
-- (the last key), so no frame spans the many search-only rows of a date. One list per row gives
-- both the count and the median, at a fraction of a windowed median's cost.
similar_age_lists as (
    select
        *,
        list(play_count) over similar_age as similar_age_plays
    from measured
    window similar_age as (
        partition by
            creator_username,
            snapshot_date,
            seen_in_creator_posts,
            case when not seen_in_creator_posts then video_id end
        order by log_age_hours
        range between 0.6931471805599453 preceding and 0.6931471805599453 following
        exclude current row
    )
),

compared as (
    select
        * exclude (similar_age_plays),
        list_median(similar_age_plays) as creator_median_views_similar_age,
        coalesce(len(similar_age_plays), 0) as similar_age_posts
    from similar_age_lists
),

signals as (
    select
        *,
        case
            when seen_in_creator_posts and similar_age_posts >= 3
                then {{ safe_ratio('play_count', 'creator_median_views_similar_age') }}
        end as views_vs_creator_median
    from compared
)

select
    video_id,
    snapshot_date,
    creator_username,
    author_unique_id,
    niche,
    seen_in_creator_posts,
    search_appearances,
    created_at,
    play_count,
    digg_count,
    comment_count,
    share_count,
    collect_count,
    {{ safe_ratio('digg_count', 'play_count') }} as like_view_ratio,
    {{ safe_ratio('comment_count', 'play_count') }} as comment_view_ratio,
    {{ safe_ratio('share_count', 'play_count') }} as share_view_ratio,
    {{ safe_ratio('digg_count + comment_count + share_count', 'play_count') }} as engagement_rate,
    previous_snapshot_date,
    views_gained,
    likes_gained,
    comments_gained,
    shares_gained,
    has_likes_above_views,
    has_count_decrease,
    has_likes_above_views or has_count_decrease as is_implausible,
    views_vs_creator_median,
    coalesce(views_vs_creator_median >= 5, false) as is_outlier,
    sponsored_signal,
    case when seen_in_creator_posts then similar_age_posts else 0 end as similar_age_posts,
    case when seen_in_creator_posts then creator_median_views_similar_age end as creator_median_views_similar_age
from signals
