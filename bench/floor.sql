-- The floor: the marts of include/dbt that bench/warehouse_ops.MART_TABLES lists, computed from
-- the landing Parquet by one hand-written DuckDB script, in one go (a full build of every landed day). No dbt, no staging
-- views, no incremental bookkeeping, no data tests: the transformations alone, as a lower bound
-- for bench/warehouse_bench.py. Same definitions as the dbt models (docs/warehouse.md), so row
-- counts and sums must match ours.
--
-- Run it against a fresh database with the landing root, the days to build and the price per credit
-- in variables:
--     set variable landing_root = '/abs/data/landing';
--     set variable first_date = date '2024-01-01';
--     set variable last_date = date '2024-12-30';
--     set variable price_per_credit = 0.005;
--     .read bench/floor.sql
-- Tables land in schema `marts` of the current database; intermediate results are temp tables.

set TimeZone = 'UTC';
create schema if not exists marts;

-- Landed history, one capture per grain (as int_creator_posts & co): the landing zone is
-- append-only, so a date may hold several loads' captures of a feed or a query; the load whose
-- capture arrived last wins, whole (ties: the larger load_id), then rows are deduplicated to the
-- grain. The landing files carry their lineage (bench/generate_landing.py). Only the columns the
-- marts use are read: Parquet is columnar, raw_json is never decoded.
create temp table posts as
with superseded as (
    select snapshot_date, creator_username, load_id
    from read_parquet(getvariable('landing_root') || '/creator_posts/*/*.parquet')
    where snapshot_date between getvariable('first_date') and getvariable('last_date')
    group by snapshot_date, creator_username, load_id
    qualify row_number() over (
        partition by snapshot_date, creator_username order by max(captured_at) desc, load_id desc
    ) > 1
)
select
    snapshot_date, video_id, creator_username, niche, sec_uid, author_unique_id, created_at,
    play_count, digg_count, comment_count, share_count, collect_count
from read_parquet(getvariable('landing_root') || '/creator_posts/*/*.parquet', filename = true)
anti join superseded using (snapshot_date, creator_username, load_id)
where snapshot_date between getvariable('first_date') and getvariable('last_date')
qualify row_number() over (
    partition by snapshot_date, video_id order by feed_position, creator_username, filename
) = 1;

create temp table search_results as
with superseded as (
    select snapshot_date, query, load_id
    from read_parquet(getvariable('landing_root') || '/search_results/*/*.parquet')
    where snapshot_date between getvariable('first_date') and getvariable('last_date')
    group by snapshot_date, query, load_id
    qualify row_number() over (
        partition by snapshot_date, query order by max(captured_at) desc, load_id desc
    ) > 1
)
select
    snapshot_date, query, query_type, hashtag_id, video_id, page, result_rank, author_unique_id,
    created_at, play_count, digg_count, comment_count, share_count, collect_count
from read_parquet(getvariable('landing_root') || '/search_results/*/*.parquet', filename = true)
anti join superseded using (snapshot_date, query, load_id)
where snapshot_date between getvariable('first_date') and getvariable('last_date')
qualify row_number() over (
    partition by snapshot_date, query, video_id order by page, result_rank, filename
) = 1;

create temp table profiles as
select snapshot_date, creator_username, niche, unique_id, sec_uid, nickname, follower_count, is_verified
from read_parquet(getvariable('landing_root') || '/profiles/*/*.parquet', filename = true)
where snapshot_date between getvariable('first_date') and getvariable('last_date')
qualify row_number() over (
    partition by snapshot_date, creator_username order by captured_at desc, load_id desc, filename desc
) = 1;

-- fct_video_snapshots: one row per video and date (a feed row wins, else the search row with the
-- most views), counts against the video's previous snapshot.
create table marts.fct_video_snapshots as
with all_rows as (
    select
        snapshot_date, video_id, creator_username, niche, author_unique_id, created_at,
        play_count, digg_count, comment_count, share_count, collect_count,
        cast(null as varchar) as query, 1 as source_priority
    from posts
    union all
    select
        snapshot_date, video_id, null, null, author_unique_id, created_at,
        play_count, digg_count, comment_count, share_count, collect_count,
        query, 2
    from search_results
),

observations as (
    select
        snapshot_date,
        video_id,
        bool_or(source_priority = 1) as seen_in_creator_posts,
        count(query) as search_appearances,
        arg_min(
            {
                'creator_username': coalesce(creator_username, author_unique_id),
                'author_unique_id': author_unique_id,
                'niche': niche,
                'created_at': created_at,
                'play_count': play_count,
                'digg_count': digg_count,
                'comment_count': comment_count,
                'share_count': share_count,
                'collect_count': collect_count
            },
            (source_priority, -play_count, query)
        ) as o
    from all_rows
    group by snapshot_date, video_id
),

with_previous as (
    select
        video_id, snapshot_date, seen_in_creator_posts, search_appearances, o.*,
        lag(snapshot_date) over by_video as previous_snapshot_date,
        lag(o.play_count) over by_video as previous_play_count,
        lag(o.digg_count) over by_video as previous_digg_count,
        lag(o.comment_count) over by_video as previous_comment_count,
        lag(o.share_count) over by_video as previous_share_count
    from observations
    window by_video as (partition by video_id order by snapshot_date)
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
    cast(digg_count as double) / nullif(play_count, 0) as like_view_ratio,
    cast(comment_count as double) / nullif(play_count, 0) as comment_view_ratio,
    cast(share_count as double) / nullif(play_count, 0) as share_view_ratio,
    cast(digg_count + comment_count + share_count as double) / nullif(play_count, 0) as engagement_rate,
    previous_snapshot_date,
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
    digg_count > play_count or coalesce(
        play_count < previous_play_count
        or digg_count < previous_digg_count
        or comment_count < previous_comment_count
        or share_count < previous_share_count,
        false
    ) as is_implausible
from with_previous;

-- A creator's engagement per date over its 20 most recently created posts captured that day, with
-- the latest profile on or before the date (as int_creator_engagement).
create temp table engagement as
with recent_posts as (
    select
        *,
        cast(digg_count as double) / nullif(play_count, 0) as like_view_ratio,
        cast(comment_count as double) / nullif(play_count, 0) as comment_view_ratio,
        cast(share_count as double) / nullif(play_count, 0) as share_view_ratio,
        cast(digg_count + comment_count + share_count as double) / nullif(play_count, 0) as engagement_rate
    from posts
    qualify row_number() over (
        partition by creator_username, snapshot_date order by created_at desc, video_id
    ) <= 20
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
        sum(share_count) as total_share_count,
        avg(like_view_ratio) as avg_like_view_ratio,
        median(like_view_ratio) as median_like_view_ratio,
        cast(sum(digg_count) filter (where play_count > 0) as double) / nullif(sum(play_count), 0) as pooled_like_view_ratio,
        avg(comment_view_ratio) as avg_comment_view_ratio,
        median(comment_view_ratio) as median_comment_view_ratio,
        cast(sum(comment_count) filter (where play_count > 0) as double) / nullif(sum(play_count), 0) as pooled_comment_view_ratio,
        avg(share_view_ratio) as avg_share_view_ratio,
        median(share_view_ratio) as median_share_view_ratio,
        cast(sum(share_count) filter (where play_count > 0) as double) / nullif(sum(play_count), 0) as pooled_share_view_ratio,
        avg(engagement_rate) as avg_engagement_rate
    from recent_posts
    group by creator_username, snapshot_date
),

with_profile as (
    select
        per_creator.*,
        profiles.snapshot_date as profile_snapshot_date,
        profiles.follower_count,
        profiles.niche as profile_niche
    from per_creator
    asof left join profiles
        on per_creator.creator_username = profiles.creator_username
        and per_creator.snapshot_date >= profiles.snapshot_date
)

select
    * exclude (roster_niche, profile_niche),
    coalesce(roster_niche, profile_niche, 'unknown') as niche,
    case
        when follower_count is null then null
        when follower_count < 10000 then 'nano'
        when follower_count < 100000 then 'micro'
        when follower_count < 500000 then 'mid'
        when follower_count < 1000000 then 'macro'
        else 'mega'
    end as follower_tier
from with_profile;

create table marts.niche_benchmarks as
with tiers as (
    select unnest(['nano', 'micro', 'mid', 'macro', 'mega', 'all']) as follower_tier
),

grid as (
    select distinct engagement.niche, engagement.snapshot_date, tiers.follower_tier
    from engagement
    cross join tiers
),

aggregated as (
    select
        niche,
        snapshot_date,
        tier_key as follower_tier,
        count(*) as creators,
        count(avg_like_view_ratio) as creators_with_views,
        quantile_cont(avg_like_view_ratio, [0.25, 0.50, 0.75, 0.90]) as like_quantiles,
        quantile_cont(avg_comment_view_ratio, 0.50) as p50_avg_comment_view_ratio,
        quantile_cont(avg_share_view_ratio, 0.50) as p50_avg_share_view_ratio,
        quantile_cont(avg_engagement_rate, 0.50) as p50_avg_engagement_rate
    from (
        select niche, snapshot_date, follower_tier as tier_key, avg_like_view_ratio,
            avg_comment_view_ratio, avg_share_view_ratio, avg_engagement_rate
        from engagement
        where follower_tier is not null
        union all
        select niche, snapshot_date, 'all', avg_like_view_ratio,
            avg_comment_view_ratio, avg_share_view_ratio, avg_engagement_rate
        from engagement
    )
    group by niche, snapshot_date, tier_key
)

select
    grid.niche,
    grid.follower_tier,
    grid.snapshot_date,
    coalesce(aggregated.creators, 0) as creators,
    coalesce(aggregated.creators_with_views, 0) as creators_with_views,
    aggregated.like_quantiles[1] as p25_avg_like_view_ratio,
    aggregated.like_quantiles[2] as p50_avg_like_view_ratio,
    aggregated.like_quantiles[3] as p75_avg_like_view_ratio,
    aggregated.like_quantiles[4] as p90_avg_like_view_ratio,
    aggregated.p50_avg_comment_view_ratio,
    aggregated.p50_avg_share_view_ratio,
    aggregated.p50_avg_engagement_rate,
    cast(0.03 as double) as healthy_like_view_ratio_low,
    cast(0.08 as double) as healthy_like_view_ratio_high,
    cast(0.001 as double) as healthy_comment_view_ratio_low,
    cast(0.005 as double) as healthy_comment_view_ratio_high,
    cast(0.01 as double) as viral_share_view_ratio_threshold
from grid
left join aggregated using (niche, snapshot_date, follower_tier);

create table marts.creator_scorecard as
with components as (
    select
        engagement.*,
        case
            when engagement.avg_like_view_ratio is null then null
            when engagement.avg_like_view_ratio + coalesce(m.p50_avg_like_view_ratio, 0) = 0 then 0.5
            else engagement.avg_like_view_ratio / (engagement.avg_like_view_ratio + coalesce(m.p50_avg_like_view_ratio, 0))
        end as like_view_component,
        case
            when engagement.avg_comment_view_ratio is null then null
            when engagement.avg_comment_view_ratio + coalesce(m.p50_avg_comment_view_ratio, 0) = 0 then 0.5
            else engagement.avg_comment_view_ratio / (engagement.avg_comment_view_ratio + coalesce(m.p50_avg_comment_view_ratio, 0))
        end as comment_view_component,
        case
            when engagement.avg_share_view_ratio is null then null
            when engagement.avg_share_view_ratio + coalesce(m.p50_avg_share_view_ratio, 0) = 0 then 0.5
            else engagement.avg_share_view_ratio / (engagement.avg_share_view_ratio + coalesce(m.p50_avg_share_view_ratio, 0))
        end as share_view_component
    from engagement
    left join marts.niche_benchmarks as m
        on m.follower_tier = 'all'
        and m.niche = engagement.niche
        and m.snapshot_date = engagement.snapshot_date
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
    case
        when avg_like_view_ratio is null then null
        when avg_like_view_ratio < 0.02 then 'not_resonating'
        when avg_like_view_ratio < 0.03 then 'below_healthy'
        when avg_like_view_ratio <= 0.08 then 'healthy'
        when avg_like_view_ratio <= 0.10 then 'strong'
        else 'highly_engaged'
    end as like_view_band,
    case
        when avg_comment_view_ratio is null then null
        when avg_comment_view_ratio < 0.001 then 'low'
        when avg_comment_view_ratio <= 0.005 then 'healthy'
        else 'discussion_heavy'
    end as comment_view_band,
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
from scored;

create table marts.dim_creators as
with latest_profiles as (
    select *
    from profiles
    qualify row_number() over (partition by creator_username order by snapshot_date desc) = 1
),

profile_span as (
    select
        creator_username,
        min(snapshot_date) as first_profile_date,
        max(snapshot_date) as last_profile_date,
        count(*) as profile_snapshots
    from profiles
    group by creator_username
),

feed_span as (
    select
        creator_username,
        min(snapshot_date) as first_feed_date,
        max(snapshot_date) as last_feed_date,
        arg_max(niche, snapshot_date) as latest_niche,
        arg_max(sec_uid, snapshot_date) as latest_sec_uid,
        count(*) as feed_snapshots
    from engagement
    group by creator_username
),

creators as (
    select creator_username from profile_span
    union
    select creator_username from feed_span
)

select
    creators.creator_username,
    coalesce(latest_profiles.sec_uid, feed_span.latest_sec_uid) as sec_uid,
    latest_profiles.unique_id,
    latest_profiles.nickname,
    coalesce(feed_span.latest_niche, latest_profiles.niche, 'unknown') as niche,
    latest_profiles.follower_count,
    case
        when latest_profiles.follower_count is null then null
        when latest_profiles.follower_count < 10000 then 'nano'
        when latest_profiles.follower_count < 100000 then 'micro'
        when latest_profiles.follower_count < 500000 then 'mid'
        when latest_profiles.follower_count < 1000000 then 'macro'
        else 'mega'
    end as follower_tier,
    latest_profiles.is_verified,
    latest_profiles.snapshot_date as latest_profile_date,
    coalesce(profile_span.profile_snapshots, 0) as profile_snapshots,
    coalesce(feed_span.feed_snapshots, 0) as feed_snapshots,
    least(profile_span.first_profile_date, feed_span.first_feed_date) as first_seen_date,
    greatest(profile_span.last_profile_date, feed_span.last_feed_date) as last_seen_date
from creators
left join latest_profiles using (creator_username)
left join profile_span using (creator_username)
left join feed_span using (creator_username);

-- Query results ranked by shares, with the video's counts of that date from fct_video_snapshots.
create table marts.trending_videos as
with results as (
    select
        *,
        min(snapshot_date) over (partition by query, video_id) as first_seen_in_query_date
    from search_results
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
        results.first_seen_in_query_date,
        results.snapshot_date = results.first_seen_in_query_date as is_new
    from results
    inner join marts.fct_video_snapshots as videos
        on videos.video_id = results.video_id
        and videos.snapshot_date = results.snapshot_date
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
from joined;

create table marts.query_trends as
with per_query as (
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
    from marts.trending_videos
    group by query, snapshot_date
),

with_previous as (
    select
        *,
        lag(snapshot_date) over by_query as previous_snapshot_date,
        lag(total_share_count) over by_query as previous_total_share_count
    from per_query
    window by_query as (partition by query order by snapshot_date)
),

hashtag_stats as (
    select
        query,
        snapshot_date,
        arg_max(hashtag_id, view_count) as hashtag_id,
        max(view_count) as hashtag_view_count,
        max(video_count) as hashtag_video_count
    from (
        select snapshot_date, query, hashtag_id, video_count, view_count, captured_at, load_id, filename
        from read_parquet(getvariable('landing_root') || '/hashtags/*/*.parquet', filename = true)
        where snapshot_date between getvariable('first_date') and getvariable('last_date')
        qualify row_number() over (
            partition by snapshot_date, query, hashtag_id order by captured_at desc, load_id desc, filename desc
        ) = 1
    )
    group by query, snapshot_date
)

select
    with_previous.query,
    with_previous.query_type,
    with_previous.snapshot_date,
    with_previous.videos_found,
    with_previous.new_videos,
    with_previous.total_play_count,
    with_previous.total_share_count,
    with_previous.median_share_view_ratio,
    with_previous.top_video_id,
    with_previous.top_video_share_count,
    with_previous.previous_snapshot_date,
    with_previous.total_share_count - with_previous.previous_total_share_count as share_growth,
    cast(with_previous.total_share_count - with_previous.previous_total_share_count as double)
        / nullif(with_previous.previous_total_share_count, 0) as share_growth_rate,
    hashtag_stats.hashtag_id,
    hashtag_stats.hashtag_view_count,
    hashtag_stats.hashtag_video_count
from with_previous
left join hashtag_stats using (query, snapshot_date);

-- The request ledger: every run's attempts (append-only), an attempt read twice counted once.
create temp table requests as
select *
from read_parquet(getvariable('landing_root') || '/request_ledger/*/*.parquet', filename = true)
where snapshot_date between getvariable('first_date') and getvariable('last_date')
qualify row_number() over (
    partition by snapshot_date, load_id, request_seq, attempt order by filename
) = 1;

create table marts.api_usage as
select
    snapshot_date,
    endpoint,
    count(*) as requests,
    count(*) filter (where attempt = 1) as first_attempts,
    count(*) filter (where error_class is not null or status is null or status >= 400) as failed_requests,
    count(*) filter (where attempt > 1) as retries,
    coalesce(sum(credits_used), 0) as credits_used,
    cast(coalesce(sum(credits_used), 0) * getvariable('price_per_credit') as double) as cost_usd,
    count(*) filter (where suspect_empty) as suspect_empty_responses,
    avg(latency_ms) as avg_latency_ms,
    max(latency_ms) as max_latency_ms
from requests
group by snapshot_date, endpoint;

-- api_runs: spend and outcome per run and date, from the ledger and the loads' summaries.
create table marts.api_runs as
with finished_loads as (
    select *
    from read_parquet(getvariable('landing_root') || '/loads/*/*.parquet', filename = true)
    where snapshot_date between getvariable('first_date') and getvariable('last_date')
    qualify row_number() over (partition by snapshot_date, load_id order by filename) = 1
),

ledger_loads as (
    select
        snapshot_date, load_id, min(run_id) as run_id, min(run_attempt) as run_attempt,
        count(*) as requests, count(*) filter (where attempt > 1) as retries,
        coalesce(sum(credits_used), 0) as credits_used,
        min(started_at) as first_request_at, max(captured_at) as last_answer_at
    from requests
    group by snapshot_date, load_id
),

per_load as (
    select
        coalesce(f.snapshot_date, l.snapshot_date) as snapshot_date,
        coalesce(f.run_id, l.run_id) as run_id,
        coalesce(f.run_attempt, l.run_attempt) as run_attempt,
        coalesce(l.requests, 0) as requests,
        coalesce(l.retries, 0) as retries,
        coalesce(l.credits_used, 0) as credits_used,
        coalesce(l.first_request_at, f.started_at) as started_at,
        greatest(f.finished_at, l.last_answer_at) as finished_at,
        coalesce(f.rows_landed, 0) as rows_landed,
        coalesce(f.rows_rejected, 0) as rows_rejected,
        case when f.load_id is not null then f.outcome else 'unfinished' end as outcome
    from finished_loads f
    full outer join ledger_loads l using (snapshot_date, load_id)
)

select
    snapshot_date,
    run_id,
    min(started_at) as started_at,
    max(finished_at) as finished_at,
    count(*) as loads,
    count(distinct run_attempt) as run_attempts,
    cast(sum(requests) as bigint) as requests,
    cast(sum(retries) as bigint) as retries,
    cast(sum(credits_used) as bigint) as credits_used,
    cast(sum(credits_used) * getvariable('price_per_credit') as double) as cost_usd,
    cast(sum(rows_landed) as bigint) as rows_landed,
    cast(sum(rows_rejected) as bigint) as rows_rejected,
    arg_max(outcome, case outcome
        when 'complete' then 2 when 'incomplete' then 3 when 'stopped' then 4
        when 'failed' then 5 when 'unfinished' then 6 else 7 end) as outcome
from per_load
group by snapshot_date, run_id;
