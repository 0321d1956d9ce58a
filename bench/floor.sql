-- The floor: the marts of include/dbt that bench/warehouse_ops.MART_TABLES lists, computed from
-- the landing Parquet by one hand-written DuckDB script, in one go (a full build of every landed
-- day). No dbt, no staging views, no incremental bookkeeping, no data tests, no publish: the
-- transformations alone, as a lower bound for bench/warehouse_bench.py. Same definitions as the
-- dbt models (include/dbt/models/marts, docs/warehouse.md), so bench/warehouse_bench.compare_marts
-- finds every row and column of these tables equal to ours (doubles rounded to 9 decimals).
--
-- Covered: fct_video_snapshots, dim_creators, creator_scorecard, niche_benchmarks,
-- creator_content_signals, trending_videos, query_trends, api_usage, api_runs, rejected_items,
-- source_freshness, brand_mentions, brand_share_of_voice, brand_creators, with every column.
-- Left out: the comment- and followings-based marts (fct_comments, video_comment_summary,
-- creator_audience, creator_follows, creator_discovery, creator_similarity, creator_communities),
-- because the benchmark's landing (bench/generate_landing.py) has no comments and no followings,
-- so ours are empty; for the same reason the columns other marts take from them are written as
-- their no-comments values (creator_scorecard.sentiment_part and authenticity_part NULL, so
-- overall_score leaves them out; brand_share_of_voice's comment counts 0 and net_sentiment NULL).
-- build_info is publish's, not a mart. Landing rows without lineage (legacy files) are not
-- handled: the benchmark's landing carries lineage on every row.
--
-- Run it against a fresh database with the landing root, the days to build, the price per credit
-- and the tracked brands' terms in variables (bench/warehouse_ops.op_floor sets them; the terms are
-- the rows the dbt model int_brand_terms.py builds, from the same Python:
-- tiktok_engagement.brands.brand_terms of the brands file dbt_runner.brands_file_setting resolves):
--     set variable landing_root = '/abs/data/landing';
--     set variable first_date = date '2024-01-01';
--     set variable last_date = date '2024-12-30';
--     set variable price_per_credit = 0.005;
--     set variable brand_terms = [{'brand': 'GlowLab', 'competitive_set': 'beauty',
--         'term_type': 'handle', 'term': 'glowlab', 'position': 1}, ...];
--     .read bench/floor.sql
-- Tables land in schema `marts` of the current database; intermediate results are temp tables.

set TimeZone = 'UTC';
create schema if not exists marts;

create temp table brand_terms as
select unnest(getvariable('brand_terms'), recursive := true);

-- Landed history, one capture per grain (as int_creator_posts & co): the landing zone is
-- append-only, so a date may hold several loads' captures of a feed or a query; the load whose
-- capture arrived last wins, whole (ties: the larger load_id), then rows are deduplicated to the
-- grain. The landing files carry their lineage (bench/generate_landing.py). Only the columns the
-- marts use are read: Parquet is columnar, raw_json is never decoded.
create temp table superseded_posts as
select snapshot_date, creator_username, load_id
from read_parquet(getvariable('landing_root') || '/creator_posts/*/*.parquet')
where snapshot_date between getvariable('first_date') and getvariable('last_date')
group by snapshot_date, creator_username, load_id
qualify row_number() over (
    partition by snapshot_date, creator_username order by max(captured_at) desc, load_id desc
) > 1;

-- A video in two feeds of the date keeps its first feed position: the losers are found among
-- the videos listed more than once, on the key columns alone, so the wide rows are never sorted.
create temp table duplicate_posts as
with listed_twice as (
    select snapshot_date, video_id
    from read_parquet(getvariable('landing_root') || '/creator_posts/*/*.parquet')
    where snapshot_date between getvariable('first_date') and getvariable('last_date')
    group by snapshot_date, video_id
    having count(*) > 1
)
select snapshot_date, video_id, creator_username, feed_position, filename
from read_parquet(getvariable('landing_root') || '/creator_posts/*/*.parquet', filename = true)
semi join listed_twice using (snapshot_date, video_id)
anti join superseded_posts using (snapshot_date, creator_username, load_id)
where snapshot_date between getvariable('first_date') and getvariable('last_date')
qualify row_number() over (
    partition by snapshot_date, video_id order by feed_position, creator_username, filename
) > 1;

-- The feed rows, their captions left in the Parquet (caption_variants reads them once more,
-- straight into its aggregate) and only their key kept: variant_key, a hash of the author, the
-- caption, the hashtags and the ad flag (see caption_variants).
create temp table posts as
select
    snapshot_date, video_id, creator_username, niche, sec_uid, author_unique_id, created_at,
    play_count, digg_count, comment_count, share_count, collect_count,
    hash(coalesce(author_unique_id, creator_username), description, hashtags, is_ads) as variant_key
from read_parquet(getvariable('landing_root') || '/creator_posts/*/*.parquet', filename = true)
anti join superseded_posts using (snapshot_date, creator_username, load_id)
anti join duplicate_posts using (snapshot_date, video_id, creator_username, feed_position, filename)
where snapshot_date between getvariable('first_date') and getvariable('last_date');

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
    created_at, play_count, digg_count, comment_count, share_count, collect_count,
    description, hashtags, is_ads
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

-- Every loads row as landed (vet-only creators, api_runs); small.
create temp table loads as
select *
from read_parquet(getvariable('landing_root') || '/loads/*/*.parquet', filename = true)
where snapshot_date between getvariable('first_date') and getvariable('last_date');

-- fct_video_snapshots.sponsored_signal (macros/signals.sql): `disclosed` for the ad flag or a
-- disclosure tag or phrase, `likely` for a gifted/collab tag, "thanks to @brand" or an @mention
-- with a discount code, else `none`; matched once per caption variant (caption_variants below).
-- The text the signal is matched on: the description and the hashtags (each as '#tag'), lower case.
create temp macro sponsorship_text(description, hashtags) as lower(
    coalesce(description, '') || ' '
    || coalesce(array_to_string(list_transform(hashtags, lambda tag: '#' || ltrim(tag, '#')), ' '), '')
);

create temp macro sponsored_signal(text, is_ads) as (
    case
        when coalesce(is_ads, false) then 'disclosed'
        when regexp_matches(text, '(^|[^\p{L}\p{N}_])#(ad|ads|sponsored|paidpartnership|paidpartner|partnership|anzeige|werbung|publicidad|publi|patrocinado|patrocinada|pub|sponsorisé|sponsorise|partenariat|reklame|reklam|sponsoreret|adv|sponsorizzato)([^\p{L}\p{N}_]|$)')
            or regexp_matches(text, '(^|[^\p{L}\p{N}_])(paid partnership|sponsored by|in partnership with|bezahlte partnerschaft|colaboración pagada|partenariat rémunéré)([^\p{L}\p{N}_]|$)')
            then 'disclosed'
        when regexp_matches(text, '(^|[^\p{L}\p{N}_])#(collab|gifted|giftedby|prgift|prpackage|brandpartner|ambassador)([^\p{L}\p{N}_]|$)')
            or regexp_matches(text, '(^|[^\p{L}\p{N}_])(thanks|thank you|thx|gracias|danke|merci)( so much)?( to)? @[\p{L}\p{N}_.]+')
            or (
                regexp_matches(text, '(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.]+')
                and regexp_matches(text, '(^|[^\p{L}\p{N}_])(code|codigo|código|rabattcode|gutscheincode)\s*:?\s*[\p{L}]*[0-9][\p{L}\p{N}]*')
            )
            then 'likely'
        else 'none'
    end
);

-- Each feed row with what is computed over the creator's feed of the date (one partition, one
-- sort for all): the recency rank (engagement: the 20 most recently created posts), the gap to
-- the next newer post (content signals) and the similar-age peers (fct_video_snapshots: posts
-- within a factor 2 of its age, log scale, itself excluded). The age only falls as created_at
-- rises, so (log_age_hours, created_at desc, video_id) is the order newest first, and the one sort
-- by log_age_hours serves both windows. A video's feed row is its fct row (a feed row wins over
-- search rows), so these are fct_video_snapshots' values.
create temp table feed as
with aged as (
    select
        *,
        ln(greatest(
            (epoch(cast(snapshot_date + 1 as timestamp)) - epoch(created_at)) / 3600.0, 1.0
        )) as log_age_hours,
        timezone('UTC', cast(snapshot_date + 1 as timestamp)) as day_end
    from posts
),

windowed as (
    select
        * exclude (log_age_hours),
        row_number() over newest_first as recency_rank,
        epoch(coalesce(lag(created_at) over newest_first, day_end) - created_at) / 86400.0 as gap_days,
        list(play_count) over similar_age as similar_age_plays
    from aged
    window
        newest_first as (
            partition by creator_username, snapshot_date order by log_age_hours, created_at desc, video_id
        ),
        similar_age as (
            partition by creator_username, snapshot_date
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
    from windowed
)

select
    *,
    cast(digg_count as double) / nullif(play_count, 0) as like_view_ratio,
    cast(comment_count as double) / nullif(play_count, 0) as comment_view_ratio,
    cast(share_count as double) / nullif(play_count, 0) as share_view_ratio,
    cast(digg_count + comment_count + share_count as double) / nullif(play_count, 0) as engagement_rate,
    case
        when similar_age_posts >= 3 then cast(play_count as double) / nullif(creator_median_views_similar_age, 0)
    end as views_vs_creator_median
from compared;

drop table posts;

-- One row per video and date: its feed row when it has one, else its search row with the most
-- views (ties: the first query), with the number of its search rows; then the previous snapshot.
create temp table observations as
with searched as (
    select
        snapshot_date,
        video_id,
        count(*) as search_appearances,
        arg_min(
            {
                'author_unique_id': author_unique_id,
                'created_at': created_at,
                'play_count': play_count,
                'digg_count': digg_count,
                'comment_count': comment_count,
                'share_count': share_count,
                'collect_count': collect_count,
                'variant_key': hash(author_unique_id, description, hashtags, is_ads)
            },
            (-play_count, query)
        ) as s
    from search_results
    group by snapshot_date, video_id
),

joined as (
    select
        coalesce(f.video_id, searched.video_id) as video_id,
        coalesce(f.snapshot_date, searched.snapshot_date) as snapshot_date,
        f.video_id is not null as seen_in_creator_posts,
        coalesce(searched.search_appearances, 0) as search_appearances,
        if(f.video_id is not null, f.creator_username, searched.s.author_unique_id) as creator_username,
        if(f.video_id is not null, f.author_unique_id, searched.s.author_unique_id) as author_unique_id,
        f.niche,
        if(f.video_id is not null, f.created_at, searched.s.created_at) as created_at,
        if(f.video_id is not null, f.play_count, searched.s.play_count) as play_count,
        if(f.video_id is not null, f.digg_count, searched.s.digg_count) as digg_count,
        if(f.video_id is not null, f.comment_count, searched.s.comment_count) as comment_count,
        if(f.video_id is not null, f.share_count, searched.s.share_count) as share_count,
        if(f.video_id is not null, f.collect_count, searched.s.collect_count) as collect_count,
        if(f.video_id is not null, f.variant_key, searched.s.variant_key) as variant_key,
        f.views_vs_creator_median,
        coalesce(f.similar_age_posts, 0) as similar_age_posts,
        f.creator_median_views_similar_age
    from feed as f
    full outer join searched
        on searched.snapshot_date = f.snapshot_date
        and searched.video_id = f.video_id
)

select
    *,
    lag(snapshot_date) over by_video as previous_snapshot_date,
    lag(play_count) over by_video as previous_play_count,
    lag(digg_count) over by_video as previous_digg_count,
    lag(comment_count) over by_video as previous_comment_count,
    lag(share_count) over by_video as previous_share_count
from joined
window by_video as (partition by video_id order by snapshot_date);

-- A video's caption, author, hashtags and ad flag are the same on most of its snapshots: each
-- distinct variant (keyed by a hash of the four, compared within one video, as the dbt models key
-- theirs) is matched once, for the sponsorship signal (five regular expressions) here and the brand
-- mentions below, and the results joined back to the snapshots that carry it. The variants of the
-- feed rows (read from the Parquet again, the captions only) and of every search row: a variant
-- no snapshot carries (a search row that lost to a feed row or a row with more views) is joined
-- to nothing.
create temp table caption_variants as
select
    *,
    sponsored_signal(sponsorship_text(description, hashtags), is_ads) as sponsored_signal
from (
    select
        video_id,
        hash(author, description, hashtags, is_ads) as variant_key,
        any_value(author) as author,
        any_value(description) as description,
        any_value(hashtags) as hashtags,
        any_value(is_ads) as is_ads
    from (
        select video_id, coalesce(author_unique_id, creator_username) as author, description, hashtags, is_ads
        from read_parquet(getvariable('landing_root') || '/creator_posts/*/*.parquet', filename = true)
        anti join superseded_posts using (snapshot_date, creator_username, load_id)
        anti join duplicate_posts using (snapshot_date, video_id, creator_username, feed_position, filename)
        where snapshot_date between getvariable('first_date') and getvariable('last_date')
        union all
        select video_id, author_unique_id, description, hashtags, is_ads
        from search_results
    )
    group by all
);

create table marts.fct_video_snapshots as
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
    ) as is_implausible,
    views_vs_creator_median,
    coalesce(views_vs_creator_median >= 5, false) as is_outlier,
    caption_variants.sponsored_signal,
    similar_age_posts,
    creator_median_views_similar_age
from observations
left join caption_variants using (video_id, variant_key);

-- A creator's engagement per date over its 20 most recently created posts captured that day, with
-- the latest profile on or before the date (as int_creator_engagement); is_vetted_only when every
-- load of the date that fetched the creator's feed was a tiktok-vet run.
create temp table engagement as
with per_creator as (
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
        list_median(list(like_view_ratio)) as median_like_view_ratio,
        cast(sum(digg_count) filter (where play_count > 0) as double) / nullif(sum(play_count), 0) as pooled_like_view_ratio,
        avg(comment_view_ratio) as avg_comment_view_ratio,
        list_median(list(comment_view_ratio)) as median_comment_view_ratio,
        cast(sum(comment_count) filter (where play_count > 0) as double) / nullif(sum(play_count), 0) as pooled_comment_view_ratio,
        avg(share_view_ratio) as avg_share_view_ratio,
        list_median(list(share_view_ratio)) as median_share_view_ratio,
        cast(sum(share_count) filter (where play_count > 0) as double) / nullif(sum(play_count), 0) as pooled_share_view_ratio,
        avg(engagement_rate) as avg_engagement_rate
    from feed
    where recency_rank <= 20
    group by creator_username, snapshot_date
),

vet_only as (
    select snapshot_date, item_key
    from (
        select snapshot_date, run_id, unnest(items_done) as item_key
        from loads
        where kind = 'creators'
    )
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
    asof left join profiles
        on per_creator.creator_username = profiles.creator_username
        and per_creator.snapshot_date >= profiles.snapshot_date
)

select
    with_profile.* exclude (roster_niche, profile_niche),
    coalesce(roster_niche, profile_niche, 'unknown') as niche,
    case
        when follower_count is null then null
        when follower_count < 10000 then 'nano'
        when follower_count < 100000 then 'micro'
        when follower_count < 500000 then 'mid'
        when follower_count < 1000000 then 'macro'
        else 'mega'
    end as follower_tier,
    vet_only.item_key is not null as vetted_only
from with_profile
left join vet_only
    on vet_only.snapshot_date = with_profile.snapshot_date
    and vet_only.item_key = 'creator:' || lower(with_profile.creator_username);

-- Brand accounts (niche brand:<name>) are tracked for their mentions: not benchmarked, scored or
-- vetted; creators only tiktok-vet fetched are scored but not benchmarked.
create table marts.niche_benchmarks as
with tracked as (
    select *
    from engagement
    where not coalesce(starts_with(niche, 'brand:'), false) and not vetted_only
),

tiers as (
    select unnest(['nano', 'micro', 'mid', 'macro', 'mega', 'all']) as follower_tier
),

grid as (
    select distinct tracked.niche, tracked.snapshot_date, tiers.follower_tier
    from tracked
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
        from tracked
        where follower_tier is not null
        union all
        select niche, snapshot_date, 'all', avg_like_view_ratio,
            avg_comment_view_ratio, avg_share_view_ratio, avg_engagement_rate
        from tracked
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

-- creator_content_signals: cadence, reach and sponsorship from the feed of the date (the 30- and
-- 90-day windows end at snapshot_date + 1 day, 00:00 UTC), growth and spikes from the profiles.
create table marts.creator_content_signals as
with videos as (
    select
        feed.*,
        coalesce(feed.views_vs_creator_median >= 5, false) as is_outlier,
        caption_variants.sponsored_signal,
        feed.created_at > feed.day_end - interval 720 hour as is_in_30d,
        feed.created_at > feed.day_end - interval 2160 hour as is_in_90d,
        feed.recency_rank <= 20 as is_recent
    from feed
    left join caption_variants using (video_id, variant_key)
    where not coalesce(starts_with(feed.niche, 'brand:'), false)
),

cadence as (
    select
        creator_username,
        snapshot_date,
        any_value(niche) as niche,
        count(*) as posts_captured,
        count(*) filter (where is_in_30d) as posts_30d,
        count(*) filter (where is_in_30d) * 7.0 / 30 as posts_per_week_30d,
        max(created_at) as last_post_at,
        snapshot_date - cast(timezone('UTC', max(created_at)) as date) as days_since_last_post,
        list_median(list(play_count) filter (where is_recent)) as median_views_recent,
        count(*) filter (where is_in_30d and is_outlier) as outlier_videos_30d,
        count(*) filter (where is_in_30d and sponsored_signal in ('disclosed', 'likely')) as sponsored_posts_30d,
        cast(count(*) filter (where (is_in_30d) and (sponsored_signal in ('disclosed', 'likely'))) as double)
            / nullif(count(*) filter (where is_in_30d), 0) as sponsored_share_30d,
        list_median(list(engagement_rate) filter (where is_recent and sponsored_signal in ('disclosed', 'likely')))
            as median_engagement_rate_sponsored,
        list_median(list(engagement_rate) filter (where is_recent and sponsored_signal = 'none'))
            as median_engagement_rate_organic,
        max(gap_days) filter (where is_in_90d) as max_gap_days_90d,
        bool_or(is_outlier) as has_outlier
    from videos
    group by creator_username, snapshot_date
),

creator_profiles as (
    select creator_username, snapshot_date as profile_date, follower_count
    from profiles
    where creator_username in (select creator_username from cadence)
),

now_profiles as (
    select cadence.creator_username, cadence.snapshot_date, now.profile_date as now_date,
        now.follower_count as followers_now
    from cadence
    asof left join creator_profiles as now
        on now.creator_username = cadence.creator_username
        and cadence.snapshot_date >= now.profile_date
),

growth as (
    select
        now_profiles.*,
        week.follower_count as followers_7d_before,
        week.profile_date as profile_date_7d_before,
        month.follower_count as followers_30d_before,
        month.profile_date as profile_date_30d_before
    from now_profiles
    asof left join creator_profiles as week
        on week.creator_username = now_profiles.creator_username
        and now_profiles.now_date - 7 >= week.profile_date
    asof left join creator_profiles as month
        on month.creator_username = now_profiles.creator_username
        and now_profiles.now_date - 30 >= month.profile_date
),

intervals as (
    select
        creator_username,
        lag(profile_date) over by_date as start_date,
        profile_date as end_date,
        (follower_count - lag(follower_count) over by_date)
            / (profile_date - lag(profile_date) over by_date) as gain_per_day
    from creator_profiles
    window by_date as (partition by creator_username order by profile_date)
    qualify lag(profile_date) over by_date is not null
),

date_intervals as (
    select cadence.creator_username, cadence.snapshot_date, intervals.start_date, intervals.end_date,
        intervals.gain_per_day
    from cadence
    inner join intervals
        on intervals.creator_username = cadence.creator_username
        and intervals.end_date <= cadence.snapshot_date
        and intervals.end_date > cadence.snapshot_date - 90
),

baseline as (
    select creator_username, snapshot_date, count(*) as intervals, list_median(list(gain_per_day)) as median_gain
    from date_intervals
    group by all
),

deviation as (
    select
        baseline.creator_username,
        baseline.snapshot_date,
        baseline.intervals,
        baseline.median_gain,
        list_median(list(abs(date_intervals.gain_per_day - baseline.median_gain))) as mad_gain
    from baseline
    inner join date_intervals using (creator_username, snapshot_date)
    group by all
),

outlier_days as (
    select distinct creator_username, snapshot_date as outlier_date
    from cadence
    where has_outlier
),

spikes as (
    select date_intervals.creator_username, date_intervals.snapshot_date, count(*) as spikes
    from date_intervals
    inner join deviation using (creator_username, snapshot_date)
    where deviation.intervals >= 3
        and date_intervals.end_date > date_intervals.snapshot_date - 30
        and date_intervals.gain_per_day > deviation.median_gain
            + 5 * greatest(deviation.mad_gain, 0.1 * abs(deviation.median_gain), 1)
        and not exists (
            select 1
            from outlier_days
            where outlier_days.creator_username = date_intervals.creator_username
                and outlier_days.outlier_date between date_intervals.start_date - 2 and date_intervals.end_date
        )
    group by all
)

select
    cadence.creator_username,
    cadence.snapshot_date,
    cadence.posts_per_week_30d,
    cadence.days_since_last_post,
    cadence.max_gap_days_90d,
    cadence.median_views_recent,
    cadence.outlier_videos_30d,
    cadence.sponsored_share_30d,
    case
        when cadence.median_engagement_rate_organic > 0
            then cadence.median_engagement_rate_sponsored / cadence.median_engagement_rate_organic
    end as sponsored_engagement_lift,
    case
        when growth.profile_date_7d_before >= growth.now_date - 21
            then cast(growth.followers_now - growth.followers_7d_before as double) / nullif(growth.followers_7d_before, 0)
    end as follower_growth_7d,
    case
        when growth.profile_date_30d_before >= growth.now_date - 44
            then cast(growth.followers_now - growth.followers_30d_before as double) / nullif(growth.followers_30d_before, 0)
    end as follower_growth_30d,
    coalesce(spikes.spikes, 0) > 0 as has_follower_spike,
    cadence.niche,
    cadence.posts_captured,
    cadence.posts_30d,
    cadence.last_post_at,
    cadence.sponsored_posts_30d,
    cadence.median_engagement_rate_sponsored,
    cadence.median_engagement_rate_organic,
    growth.followers_now as follower_count,
    growth.now_date as profile_snapshot_date,
    coalesce(deviation.intervals, 0) as profile_intervals_90d,
    deviation.median_gain as median_daily_follower_gain,
    deviation.mad_gain as mad_daily_follower_gain
from cadence
left join growth using (creator_username, snapshot_date)
left join deviation using (creator_username, snapshot_date)
left join spikes using (creator_username, snapshot_date);

drop table feed;

-- creator_scorecard: vetting_score against the niche's `all` medians; overall_score's engagement
-- part against the niche x follower tier medians when that tier has 5 creators with views, else
-- the niche's. No comments landed (see the header): sentiment_part and authenticity_part are NULL.
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
        end as share_view_component,
        coalesce(peer.p50_avg_like_view_ratio, m.p50_avg_like_view_ratio) as peer_like,
        coalesce(peer.p50_avg_comment_view_ratio, m.p50_avg_comment_view_ratio) as peer_comment,
        coalesce(peer.p50_avg_share_view_ratio, m.p50_avg_share_view_ratio) as peer_share
    from engagement
    left join marts.niche_benchmarks as m
        on m.follower_tier = 'all'
        and m.niche = engagement.niche
        and m.snapshot_date = engagement.snapshot_date
    left join marts.niche_benchmarks as peer
        on peer.follower_tier <> 'all'
        and peer.creators_with_views >= 5
        and peer.niche = engagement.niche
        and peer.follower_tier = engagement.follower_tier
        and peer.snapshot_date = engagement.snapshot_date
    where not coalesce(starts_with(engagement.niche, 'brand:'), false)
),

with_parts as (
    select
        components.*,
        round(100 * (0.5 * like_view_component + 0.2 * comment_view_component + 0.3 * share_view_component), 2)
            as vetting_score,
        case when avg_like_view_ratio is not null then
            0.5 * case
                when avg_like_view_ratio is null then null
                when avg_like_view_ratio + coalesce(peer_like, 0) = 0 then 0.5
                else avg_like_view_ratio / (avg_like_view_ratio + coalesce(peer_like, 0))
            end
            + 0.2 * case
                when avg_comment_view_ratio is null then null
                when avg_comment_view_ratio + coalesce(peer_comment, 0) = 0 then 0.5
                else avg_comment_view_ratio / (avg_comment_view_ratio + coalesce(peer_comment, 0))
            end
            + 0.3 * case
                when avg_share_view_ratio is null then null
                when avg_share_view_ratio + coalesce(peer_share, 0) = 0 then 0.5
                else avg_share_view_ratio / (avg_share_view_ratio + coalesce(peer_share, 0))
            end
        end as peer_engagement_part,
        cast(null as double) as sentiment_part,
        cast(null as double) as authenticity_part,
        case
            when signals.creator_username is null then null
            when signals.max_gap_days_90d is null then 0.0
            else 0.5 * least(signals.posts_per_week_30d / 3, 1) + 0.5 * greatest(1 - signals.max_gap_days_90d / 30, 0)
        end as consistency_part,
        case
            when signals.has_follower_spike then 0.0
            when signals.follower_growth_30d is null then null
            else least(greatest(0.5 + 10 * signals.follower_growth_30d, 0), 1)
        end as growth_part
    from components
    left join marts.creator_content_signals as signals
        on signals.creator_username = components.creator_username
        and signals.snapshot_date = components.snapshot_date
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
    end as overall_score,
    vetted_only as is_vetted_only
from with_parts;

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
    greatest(profile_span.last_profile_date, feed_span.last_feed_date) as last_seen_date,
    coalesce(starts_with(coalesce(feed_span.latest_niche, latest_profiles.niche), 'brand:'), false) as is_brand
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
    from loads
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

-- rejected_items: every rejected API item, a request's items numbered; the same rows read from a
-- second file (a crashed compaction's leftovers) left out.
create table marts.rejected_items as
with rejected as (
    select *
    from read_parquet(getvariable('landing_root') || '/rejected/*/*.parquet', filename = true)
    where snapshot_date between getvariable('first_date') and getvariable('last_date')
    qualify dense_rank() over (
        partition by snapshot_date, load_id, request_seq order by filename
    ) = 1
)
select
    snapshot_date,
    load_id,
    request_seq,
    row_number() over (
        partition by snapshot_date, load_id, request_seq
        order by item_id, item_key, reason, raw_json
    ) as item_position,
    dataset,
    endpoint,
    item_key,
    item_id,
    reason,
    raw_json,
    run_id,
    captured_at
from rejected;

-- source_freshness: rows and files landed per dataset and date, every load's, as int_landing_loads
-- counts them; read from the Parquet footers of the partitions of the built days (the file list
-- first, so only those footers are read).
set variable landed_files = (
    select list(file)
    from glob(getvariable('landing_root') || '/*/snapshot_date=*/*.parquet')
    where try_cast(regexp_extract(file, 'snapshot_date=(\d{4}-\d{2}-\d{2})', 1) as date)
        between getvariable('first_date') and getvariable('last_date')
);

create table marts.source_freshness as
with counts as (
    select
        regexp_extract(file_name, '/([^/]+)/snapshot_date=', 1) as dataset,
        cast(regexp_extract(file_name, 'snapshot_date=(\d{4}-\d{2}-\d{2})', 1) as date) as snapshot_date,
        sum(num_rows) as rows_loaded,
        count(*) filter (where num_rows > 0) as files_loaded
    from parquet_file_metadata(getvariable('landed_files'))
    group by all
),

expected as (
    select * from (values
        ('profiles', 7),
        ('creator_posts', 1),
        ('search_results', 1),
        ('hashtags', 1),
        ('request_ledger', 1),
        ('loads', 1)
    ) as expected (dataset, expected_cadence_days)
),

per_dataset as (
    select
        dataset,
        min(snapshot_date) filter (where rows_loaded > 0) as first_snapshot_date,
        max(snapshot_date) filter (where rows_loaded > 0) as latest_snapshot_date,
        count(*) filter (where rows_loaded > 0) as snapshot_dates_loaded,
        sum(rows_loaded) as rows_loaded,
        sum(files_loaded) as files_loaded
    from counts
    group by dataset
),

as_of as (
    select max(snapshot_date) as as_of_date
    from counts
    where rows_loaded > 0
        and dataset in (
            'profiles', 'creator_posts', 'search_results', 'hashtags', 'request_ledger', 'rejected',
            'loads', 'comments', 'comment_scores'
        )
)

select
    expected.dataset,
    per_dataset.first_snapshot_date,
    per_dataset.latest_snapshot_date,
    coalesce(per_dataset.snapshot_dates_loaded, 0) as snapshot_dates_loaded,
    coalesce(per_dataset.rows_loaded, 0) as rows_loaded,
    coalesce(per_dataset.files_loaded, 0) as files_loaded,
    as_of.as_of_date,
    as_of.as_of_date - per_dataset.latest_snapshot_date as days_behind,
    expected.expected_cadence_days,
    coalesce(as_of.as_of_date - per_dataset.latest_snapshot_date >= expected.expected_cadence_days, true)
        as is_stale
from expected
cross join as_of
left join per_dataset using (dataset);

-- brand_mentions: the captured videos (one row per video and date, as fct_video_snapshots) that
-- mention a tracked brand, matched once per video and caption variant (author, caption,
-- hashtags) on the folded caption: a handle as @handle, a hashtag the video carries, a keyword on
-- word boundaries among the caption's other words, or the author being a brand handle.
create temp macro brand_fold(text) as
    trim(regexp_replace(lower(strip_accents(coalesce(text, ''))), '[\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}]+', ' ', 'g'));

create table marts.brand_mentions as
with variants as (
    select video_id, variant_key as caption_key, author, description, hashtags
    from caption_variants
    where exists (select 1 from brand_terms)
),

folded as (
    select
        video_id,
        caption_key,
        lower(regexp_replace(trim(author), '^@', '')) as author_key,
        brand_fold(description) as caption,
        hashtags
    from variants
),

captions as (
    select
        video_id,
        caption_key,
        author_key,
        list_transform(
            regexp_extract_all(caption, '(^|[^\p{L}\p{N}_@.])@([a-z0-9_.]+)', 2), lambda handle: rtrim(handle, '.')
        ) as handles,
        list_distinct(list_concat(
            list_transform(
                list_filter(coalesce(hashtags, cast([] as varchar[])), lambda tag: tag is not null and tag <> ''),
                lambda tag: ltrim(brand_fold(tag), '#')
            ),
            regexp_extract_all(caption, '(^|[^\p{L}\p{N}_#])#([\p{L}\p{N}_]+)', 2)
        )) as tags,
        ' ' || trim(regexp_replace(
            regexp_replace(
                regexp_replace(caption, '(^|[^\p{L}\p{N}_@.])@([a-z0-9_.]+)', '\1 ', 'g'),
                '(^|[^\p{L}\p{N}_#])#([\p{L}\p{N}_]+)', '\1 ', 'g'
            ),
            ' +', ' ', 'g'
        )) || ' ' as words
    from folded
),

caption_handles as (
    select distinct video_id, caption_key, unnest(handles) as handle from captions
),

caption_tags as (
    select distinct video_id, caption_key, unnest(tags) as tag from captions
),

matches as (
    select caption_handles.video_id, caption_handles.caption_key, terms.brand,
        1 as term_rank, terms.position, '@' || terms.term as matched_on, false as is_author
    from caption_handles
    inner join brand_terms as terms on terms.term_type = 'handle' and terms.term = caption_handles.handle
    union all
    select caption_tags.video_id, caption_tags.caption_key, terms.brand,
        2 as term_rank, terms.position, '#' || terms.term as matched_on, false as is_author
    from caption_tags
    inner join brand_terms as terms on terms.term_type = 'hashtag' and terms.term = caption_tags.tag
    union all
    select captions.video_id, captions.caption_key, terms.brand,
        3 as term_rank, terms.position, terms.term as matched_on, false as is_author
    from captions
    inner join brand_terms as terms
        on terms.term_type = 'keyword'
        and contains(captions.words, terms.term)
        and regexp_matches(captions.words, '(^|[^\p{L}\p{N}_])' || regexp_escape(terms.term) || '([^\p{L}\p{N}_]|$)')
    union all
    select captions.video_id, captions.caption_key, terms.brand,
        4 as term_rank, 0 as position, 'author' as matched_on, true as is_author
    from captions
    inner join brand_terms as terms on terms.term_type = 'handle' and terms.term = captions.author_key
),

per_variant as (
    select
        video_id,
        caption_key,
        brand,
        arg_min(matched_on, term_rank * 1000000 + position) as matched_on,
        bool_or(is_author) as is_owned
    from matches
    group by all
),

per_brand as (
    select observed.snapshot_date, per_variant.video_id, per_variant.brand, per_variant.matched_on,
        per_variant.is_owned,
        min(observed.snapshot_date) over (partition by per_variant.brand, per_variant.video_id) as first_seen_date
    from (
        select snapshot_date, video_id, variant_key as caption_key
        from observations
        where exists (select 1 from brand_terms)
    ) as observed
    inner join per_variant using (video_id, caption_key)
),

brands as (
    select distinct brand, competitive_set from brand_terms
)

select
    mentions.brand,
    mentions.video_id,
    mentions.snapshot_date,
    snapshots.creator_username,
    case
        when mentions.is_owned then 'owned'
        when snapshots.sponsored_signal in ('disclosed', 'likely') then 'sponsored'
        else 'earned'
    end as mention_type,
    mentions.matched_on,
    snapshots.play_count,
    snapshots.engagement_rate,
    mentions.first_seen_date,
    brands.competitive_set,
    snapshots.author_unique_id,
    snapshots.niche,
    snapshots.seen_in_creator_posts,
    snapshots.search_appearances,
    snapshots.sponsored_signal,
    snapshots.digg_count,
    snapshots.comment_count,
    snapshots.share_count,
    snapshots.digg_count + snapshots.comment_count + snapshots.share_count as engagements
from per_brand as mentions
inner join brands using (brand)
inner join marts.fct_video_snapshots as snapshots
    on snapshots.video_id = mentions.video_id
    and snapshots.snapshot_date = mentions.snapshot_date;

-- brand_share_of_voice: every brand on every date with a captured video; no comments landed (see
-- the header), so the comment counts are 0 and net_sentiment NULL.
create table marts.brand_share_of_voice as
with grid as (
    select brands.brand, brands.competitive_set, dates.snapshot_date
    from (select distinct brand, competitive_set from brand_terms) as brands
    cross join (select distinct snapshot_date from observations) as dates
),

per_brand as (
    select
        brand,
        snapshot_date,
        count(*) as videos,
        coalesce(sum(play_count), 0) as views,
        coalesce(sum(engagements), 0) as engagements,
        count(distinct creator_username) as creators,
        count(*) filter (where mention_type = 'owned') as owned_videos,
        count(*) filter (where mention_type = 'sponsored') as sponsored_videos,
        count(*) filter (where mention_type = 'earned') as earned_videos,
        coalesce(sum(play_count) filter (where mention_type = 'owned'), 0) as owned_views,
        coalesce(sum(play_count) filter (where mention_type = 'sponsored'), 0) as sponsored_views,
        coalesce(sum(play_count) filter (where mention_type = 'earned'), 0) as earned_views
    from marts.brand_mentions
    group by all
),

new_ugc as (
    select brand, first_earned_date as snapshot_date, count(*) as new_ugc_creators
    from (
        select brand, creator_username, min(snapshot_date) as first_earned_date
        from marts.brand_mentions
        where mention_type = 'earned' and creator_username is not null
        group by all
    )
    group by all
),

measured as (
    select
        grid.brand,
        grid.competitive_set,
        grid.snapshot_date,
        coalesce(per_brand.videos, 0) as videos,
        coalesce(per_brand.views, 0) as views,
        coalesce(per_brand.engagements, 0) as engagements,
        coalesce(per_brand.creators, 0) as creators,
        coalesce(per_brand.owned_videos, 0) as owned_videos,
        coalesce(per_brand.sponsored_videos, 0) as sponsored_videos,
        coalesce(per_brand.earned_videos, 0) as earned_videos,
        coalesce(per_brand.owned_views, 0) as owned_views,
        coalesce(per_brand.sponsored_views, 0) as sponsored_views,
        coalesce(per_brand.earned_views, 0) as earned_views,
        coalesce(new_ugc.new_ugc_creators, 0) as new_ugc_creators
    from grid
    left join per_brand using (brand, snapshot_date)
    left join new_ugc using (brand, snapshot_date)
)

select
    brand,
    snapshot_date,
    videos,
    views,
    engagements,
    creators,
    cast(views as double) / nullif(sum(views) over by_set, 0) as share_of_voice_views,
    cast(videos as double) / nullif(sum(videos) over by_set, 0) as share_of_voice_videos,
    cast(creators as double) / nullif(sum(creators) over by_set, 0) as share_of_voice_creators,
    cast(earned_views as double) / nullif(views, 0) as earned_share,
    new_ugc_creators,
    cast(null as double) as net_sentiment,
    competitive_set,
    owned_videos,
    sponsored_videos,
    earned_videos,
    owned_views,
    sponsored_views,
    earned_views,
    cast(0 as bigint) as videos_with_comments,
    cast(0 as bigint) as comments_analyzed,
    cast(0 as bigint) as scored_comments
from measured
window by_set as (partition by competitive_set, snapshot_date);

-- brand_creators: who mentions each brand, each video counted once at its latest snapshot.
create table marts.brand_creators as
with mentions as (
    select *
    from marts.brand_mentions
    where creator_username is not null
),

latest as (
    select *
    from mentions
    qualify row_number() over (partition by brand, video_id order by snapshot_date desc) = 1
),

spans as (
    select
        brand,
        creator_username,
        min(snapshot_date) as first_mention_date,
        max(snapshot_date) as last_mention_date,
        count(distinct snapshot_date) as mention_dates
    from mentions
    group by all
),

per_creator as (
    select
        brand,
        creator_username,
        any_value(competitive_set) as competitive_set,
        count(*) as mentions,
        count(*) filter (where mention_type = 'owned') as owned_mentions,
        count(*) filter (where mention_type = 'sponsored') as sponsored_mentions,
        count(*) filter (where mention_type = 'earned') as earned_mentions,
        coalesce(sum(play_count), 0) as views,
        coalesce(sum(engagements), 0) as engagements,
        cast(sum(engagements) filter (where play_count > 0) as double)
            / nullif(sum(play_count) filter (where play_count > 0), 0) as engagement_rate,
        bool_or(mention_type = 'owned') as is_brand_account
    from latest
    group by all
)

select
    per_creator.brand,
    per_creator.creator_username,
    per_creator.mentions,
    per_creator.owned_mentions,
    per_creator.sponsored_mentions,
    per_creator.earned_mentions,
    per_creator.views,
    per_creator.engagement_rate,
    spans.first_mention_date,
    spans.last_mention_date,
    per_creator.competitive_set,
    per_creator.engagements,
    spans.mention_dates,
    per_creator.is_brand_account,
    creators.niche as creator_niche,
    creators.follower_count,
    creators.follower_tier
from per_creator
inner join spans using (brand, creator_username)
left join marts.dim_creators as creators
    on creators.creator_username = per_creator.creator_username;
