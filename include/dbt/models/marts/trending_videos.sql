-- depends_on: {{ ref('int_rebuild_dates') }}
{#
    Grain: query x snapshot date x video. Each tracked query's results ranked by shares: the seed's
    trend detection (rank search results by share_count; track the same query daily). Counts and
    gains are the video's snapshot in fct_video_snapshots on that date. is_new is true on the first
    date the video appears in that query's results.
-#}
with results as (
    select *
    from {{ ref('int_search_results') }}
    where {{ in_replaced_dates() }}
),

first_appearance as (
    select
        history.query,
        history.video_id,
        min(history.snapshot_date) as first_seen_in_query_date
    from {{ ref('int_search_results') }} as history
    semi join (select distinct query, video_id from results) as touched
        on touched.query = history.query and touched.video_id = history.video_id
    group by history.query, history.video_id
),

videos as (
    select *
    from {{ ref('fct_video_snapshots') }}
    where {{ in_replaced_dates() }}
),

joined as (
    select
        results.query,
        results.query_type,
        results.snapshot_date,
        results.video_id,
        videos.creator_username,
        videos.created_at,
        results.page,
        results.result_rank as api_result_rank,
        videos.share_count,
        videos.play_count,
        videos.digg_count,
        videos.comment_count,
        videos.share_view_ratio,
        videos.like_view_ratio,
        videos.engagement_rate,
        videos.shares_gained,
        videos.views_gained,
        videos.is_implausible,
        first_appearance.first_seen_in_query_date,
        results.snapshot_date = first_appearance.first_seen_in_query_date as is_new
    from results
    inner join videos
        on videos.video_id = results.video_id
        and videos.snapshot_date = results.snapshot_date
    inner join first_appearance
        on first_appearance.query = results.query
        and first_appearance.video_id = results.video_id
)

select
    query,
    query_type,
    snapshot_date,
    video_id,
    creator_username,
    row_number() over (
        partition by query, snapshot_date
        order by share_count desc, play_count desc, video_id
    ) as rank_by_shares,
    api_result_rank,
    page,
    created_at,
    share_count,
    play_count,
    digg_count,
    comment_count,
    share_view_ratio,
    like_view_ratio,
    engagement_rate,
    shares_gained,
    views_gained,
    is_new,
    first_seen_in_query_date,
    is_implausible
from joined
