{{ config(materialized='table') }}
{#
    Grain: account x snapshot date, for the accounts that are neither roster creators nor the
    brands' own accounts (creator_follows.followed_is_roster and followed_is_brand false), and the dates on which a followings load landed
    (weekly with the default policy; the graph is not observed on the other days). Lookalike
    candidates: the accounts the roster follows, as of each such date.
      - followed_by_roster: roster creators seen following the account on or before the date
        (an edge counts from its first_seen_date on; edges are never dropped);
      - follower_count / follower_tier: the latest count a capture on or before the date listed
        (the tiers of the other marts: nano < 10K <= micro < 100K <= mid < 500K <= macro < 1M <=
        mega); filter on follower_count for a band (10K to 2M for lookalikes);
      - follower_niches: the distinct niches (dim_creators) of those roster creators, sorted;
      - new_follows_7d: roster follows first seen in the 7 days up to the date (after D - 7, up
        to D), leaving out follows first seen in the follower's own first capture: a backfill
        lists follows years old, which are not new;
      - discovery_rank: 1, 2, ... per date by followed_by_roster, then new_follows_7d, then
        follower_count (descending), then the handle; rank_in_tier the same within the tier.
    Rebuilt whole on every build: a date loaded late changes the counts of every later date.
#}
with sightings as (
    select * from {{ ref('int_followings') }}
),

followings_dates as (
    select distinct snapshot_date from sightings
),

outside_edges as (
    select follows.*, creators.niche as follower_niche
    from {{ ref('creator_follows') }} as follows
    left join {{ ref('dim_creators') }} as creators
        on creators.creator_username = follows.follower_username
    where not follows.followed_is_roster and not follows.followed_is_brand
),

first_captures as (
    select follower_username, min(snapshot_date) as first_capture_date
    from sightings
    group by follower_username
),

per_date as (
    select
        followings_dates.snapshot_date,
        edges.followed_username,
        count(*) as followed_by_roster,
        list_sort(list(distinct coalesce(edges.follower_niche, 'unknown'))) as follower_niches,
        count(*) filter (
            where edges.first_seen_date > followings_dates.snapshot_date - 7
                and edges.first_seen_date > first_captures.first_capture_date
        ) as new_follows_7d,
        min(edges.first_seen_date) as first_followed_date
    from followings_dates
    inner join outside_edges as edges on edges.first_seen_date <= followings_dates.snapshot_date
    inner join first_captures using (follower_username)
    group by all
),

-- The account as the latest capture on or before each date listed it.
account_sightings as (
    select
        snapshot_date,
        followed_username,
        arg_max(followed_sec_uid, (captured_at, load_id))
            filter (where followed_sec_uid is not null) as followed_sec_uid,
        arg_max(followed_nickname, (captured_at, load_id))
            filter (where followed_nickname is not null) as followed_nickname,
        arg_max(followed_follower_count, (captured_at, load_id))
            filter (where followed_follower_count is not null) as followed_follower_count
    from sightings
    semi join outside_edges using (followed_username)
    group by all
),

as_of as (
    select
        per_date.*,
        last_sighting.followed_sec_uid,
        last_sighting.followed_nickname,
        last_sighting.followed_follower_count
    from per_date
    asof left join account_sightings as last_sighting
        on last_sighting.followed_username = per_date.followed_username
        and last_sighting.snapshot_date <= per_date.snapshot_date
),

tiered as (
    select *, {{ follower_tier('followed_follower_count') }} as follower_tier
    from as_of
)

select
    snapshot_date,
    followed_username as account_username,
    followed_sec_uid as account_sec_uid,
    followed_nickname as account_nickname,
    followed_follower_count as follower_count,
    follower_tier,
    followed_by_roster,
    follower_niches,
    new_follows_7d,
    first_followed_date,
    row_number() over (
        partition by snapshot_date
        order by followed_by_roster desc, new_follows_7d desc, followed_follower_count desc nulls last,
            followed_username
    ) as discovery_rank,
    row_number() over (
        partition by snapshot_date, follower_tier
        order by followed_by_roster desc, new_follows_7d desc, followed_follower_count desc nulls last,
            followed_username
    ) as rank_in_tier
from tiered
