-- depends_on: {{ ref('int_rebuild_dates') }}
{#
    Grain: query x snapshot date (dates on which the query returned results). share_growth is
    total_share_count minus the query's total on its previous snapshot date (NULL on its first);
    share_growth_rate divides it by that previous total.
-#}
with trending as (
    select *
    from {{ ref('trending_videos') }}
    where {{ in_replaced_dates() }}
),

per_query as (
    select
        query,
        snapshot_date,
        max(query_type) as query_type,
        count(*) as videos_found,
        count(*) filter (where is_new) as new_videos,
        sum(play_count) as total_play_count,
        sum(share_count) as total_share_count,
        median(share_view_ratio) as median_share_view_ratio,
        min(video_id) filter (where rank_by_shares = 1) as top_video_id,
        max(share_count) as top_video_share_count
    from trending
    group by query, snapshot_date
),

query_history as (
    select
        query,
        snapshot_date,
        sum(share_count) as total_share_count
    from {{ ref('trending_videos') }}
    where query in (select query from per_query)
        and snapshot_date <= (select max(snapshot_date) from per_query)
    group by query, snapshot_date
),

with_previous as (
    select
        query,
        snapshot_date,
        lag(snapshot_date) over by_query as previous_snapshot_date,
        lag(total_share_count) over by_query as previous_total_share_count
    from query_history
    window by_query as (partition by query order by snapshot_date)
),

hashtag_stats as (
    select
        query,
        snapshot_date,
        arg_max(hashtag_id, view_count) as hashtag_id,
        max(view_count) as hashtag_view_count,
        max(video_count) as hashtag_video_count
    from {{ ref('int_hashtags') }}
    where {{ in_replaced_dates() }}
    group by query, snapshot_date
)

select
    per_query.query,
    per_query.query_type,
    per_query.snapshot_date,
    per_query.videos_found,
    per_query.new_videos,
    per_query.total_play_count,
    per_query.total_share_count,
    per_query.median_share_view_ratio,
    per_query.top_video_id,
    per_query.top_video_share_count,
    with_previous.previous_snapshot_date,
    per_query.total_share_count - with_previous.previous_total_share_count as share_growth,
    {{ safe_ratio('per_query.total_share_count - with_previous.previous_total_share_count',
                  'with_previous.previous_total_share_count') }} as share_growth_rate,
    hashtag_stats.hashtag_id,
    hashtag_stats.hashtag_view_count,
    hashtag_stats.hashtag_video_count
from per_query
inner join with_previous
    on with_previous.query = per_query.query
    and with_previous.snapshot_date = per_query.snapshot_date
left join hashtag_stats
    on hashtag_stats.query = per_query.query
    and hashtag_stats.snapshot_date = per_query.snapshot_date
