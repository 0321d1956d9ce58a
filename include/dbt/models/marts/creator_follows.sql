{{ config(materialized='table') }}
{#
    Grain: follower (roster creator) x followed account. Every edge any followings capture ever
    listed (int_followings_edges), rebuilt whole on every build (one row per edge, small).
    last_seen_date is the last snapshot date a capture listed the edge, not the last day it was
    true: after a creator's one-time backfill (up to TIKTOK_FOLLOWINGS_MAX_PAGES pages) only page 1
    is refreshed, so an edge deeper in the list stays "last seen" at the backfill, and an unfollow
    is never observed as such. An edge that disappears from a later capture is kept.
    is_mutual: the followed account is a roster creator (its handle or sec_uid is a roster
    creator's) and an edge back from it to the follower was seen too (ever, not necessarily on the
    same date).
    The brands' own accounts are tracked beside the roster (dim_creators.is_brand) but are not
    roster creators: a follow of one has followed_is_brand, not followed_is_roster.
#}
with edges as (
    select * from {{ ref('int_followings_edges') }}
),

-- The accounts a followed account can be: the roster creators (every follower is one) and the
-- brands' own accounts (is_brand), both in dim_creators.
accounts as (
    select creator_username, sec_uid, is_brand from {{ ref('dim_creators') }}
    union
    select distinct follower_username, follower_sec_uid, false as is_brand from edges
),

-- The roster creator or brand account a followed account is, if any: by handle
-- (case-insensitive) or by sec_uid (two equi-joins: one OR join would compare every edge with
-- every account).
followed_accounts as (
    select
        follower_username,
        followed_username,
        min(creator_username) filter (where not is_brand) as followed_roster_username,
        bool_or(is_brand) as followed_is_brand
    from (
        select edges.follower_username, edges.followed_username, accounts.creator_username,
            accounts.is_brand
        from edges
        inner join accounts on lower(accounts.creator_username) = lower(edges.followed_username)
        union all
        select edges.follower_username, edges.followed_username, accounts.creator_username,
            accounts.is_brand
        from edges
        inner join accounts on accounts.sec_uid = edges.followed_sec_uid
    ) as matches
    group by all
),

resolved as (
    select
        edges.*,
        followed_accounts.followed_roster_username,
        coalesce(followed_accounts.followed_is_brand, false) as followed_is_brand
    from edges
    left join followed_accounts using (follower_username, followed_username)
),

roster_edges as (
    select distinct follower_username, followed_roster_username
    from resolved
    where followed_roster_username is not null
)

select
    resolved.follower_username,
    resolved.followed_username,
    resolved.followed_sec_uid,
    resolved.followed_nickname,
    resolved.followed_follower_count,
    {{ follower_tier('resolved.followed_follower_count') }} as followed_follower_tier,
    resolved.first_seen_date,
    resolved.last_seen_date,
    resolved.snapshots_seen,
    resolved.followed_roster_username,
    resolved.followed_roster_username is not null as followed_is_roster,
    back.follower_username is not null as is_mutual,
    resolved.followed_is_brand
from resolved
left join roster_edges as back
    on back.follower_username = resolved.followed_roster_username
    and back.followed_roster_username = resolved.follower_username
