{{ config(materialized='table') }}
{#
    Grain: creator (roster handle). Rebuilt whole on every build (one row per creator, small):
    follower_count, follower_tier, is_verified and the identity columns are the latest profile
    overall; niche the latest known. first/last_seen_date span the days the creator was captured
    (feed or profile). The brands' own accounts (niche brand:<name>) are here too, is_brand
    true, so that their videos and mentions have a creator row; the creator and niche marts
    (niche_benchmarks, creator_scorecard, creator_audience, creator_content_signals) leave them out.
-#}
with latest_profiles as (
    select *
    from {{ ref('int_profiles') }}
    qualify row_number() over (partition by creator_username order by snapshot_date desc) = 1
),

profile_span as (
    select
        creator_username,
        min(snapshot_date) as first_profile_date,
        max(snapshot_date) as last_profile_date,
        count(*) as profile_snapshots
    from {{ ref('int_profiles') }}
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
    from {{ ref('int_creator_engagement') }}
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
    {{ follower_tier('latest_profiles.follower_count') }} as follower_tier,
    latest_profiles.is_verified,
    latest_profiles.snapshot_date as latest_profile_date,
    coalesce(profile_span.profile_snapshots, 0) as profile_snapshots,
    coalesce(feed_span.feed_snapshots, 0) as feed_snapshots,
    least(profile_span.first_profile_date, feed_span.first_feed_date) as first_seen_date,
    greatest(profile_span.last_profile_date, feed_span.last_feed_date) as last_seen_date,
    {{ is_brand_niche("coalesce(feed_span.latest_niche, latest_profiles.niche)") }} as is_brand
from creators
left join latest_profiles using (creator_username)
left join profile_span using (creator_username)
left join feed_span using (creator_username)
