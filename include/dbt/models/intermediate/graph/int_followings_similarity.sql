{#
    Grain: creator pair (creator_a < creator_b, both roster creators with landed followings) x
    followings snapshot date (a date on which a followings load landed). The following-Jaccard of
    the pair as of the date: the sets are the accounts each creator was seen following on or
    before the date (int_followings_edges.first_seen_date <= date; edges are never dropped), and
        following_jaccard = shared_followings / (followings_a + followings_b - shared_followings).
    Only pairs sharing at least one followed account on the date are listed (a pair missing here
    has a Jaccard of 0): the rows grow with the pairs that share accounts, not with roster^2.
    Rebuilt whole on every build (a date loaded late changes every later date's sets). Feeds
    marts.creator_similarity (the latest date) and marts.creator_communities (every date).
#}
with edges as (
    select follower_username, followed_username, first_seen_date
    from {{ ref('int_followings_edges') }}
),

followings_dates as (
    select distinct snapshot_date from {{ ref('int_followings') }}
),

-- Each account both creators follow, from the day both edges had been seen: grouped by that day
-- first, so the join with the dates below runs over pairs x days, not pairs x accounts x days.
shared_since as (
    select
        a.follower_username as creator_a,
        b.follower_username as creator_b,
        greatest(a.first_seen_date, b.first_seen_date) as since_date,
        count(*) as accounts
    from edges as a
    inner join edges as b
        on a.followed_username = b.followed_username
        and a.follower_username < b.follower_username
    group by all
),

shared as (
    select
        followings_dates.snapshot_date,
        shared_since.creator_a,
        shared_since.creator_b,
        sum(shared_since.accounts) as shared_followings
    from followings_dates
    inner join shared_since on shared_since.since_date <= followings_dates.snapshot_date
    group by all
),

sizes as (
    select followings_dates.snapshot_date, edges.follower_username, count(*) as followings
    from followings_dates
    inner join edges on edges.first_seen_date <= followings_dates.snapshot_date
    group by all
)

select
    shared.snapshot_date,
    shared.creator_a,
    shared.creator_b,
    shared.shared_followings,
    size_a.followings as followings_a,
    size_b.followings as followings_b,
    cast(shared.shared_followings as double)
        / (size_a.followings + size_b.followings - shared.shared_followings) as following_jaccard
from shared
inner join sizes as size_a
    on size_a.snapshot_date = shared.snapshot_date and size_a.follower_username = shared.creator_a
inner join sizes as size_b
    on size_b.snapshot_date = shared.snapshot_date and size_b.follower_username = shared.creator_b
