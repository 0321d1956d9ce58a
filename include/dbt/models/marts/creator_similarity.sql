{{ config(materialized='table') }}
{#
    Grain: creator pair (creator_a < creator_b, both roster creators). Rebuilt whole on every
    build, over everything landed (followings ever seen, comments ever sampled).
      - following_jaccard: shared followed accounts over the union of the two sets of accounts
        each was seen following (creator_follows: edges are never dropped); NULL when either has no
        followings landed;
      - commenter_jaccard: the same over the distinct commenters on each creator's sampled videos
        (fct_comments, the creator's own comments left out); NULL when either has none;
      - is_mutual: each follows the other (creator_follows.is_mutual); a_follows_b, b_follows_a.
    Bounded: only pairs that share at least one followed account or one commenter are listed
    (any other pair has both Jaccards 0, or NULL), so the rows grow with the pairs that overlap,
    not with roster^2.
#}
with roster as (
    select creator_username, niche from {{ ref('dim_creators') }}
),

followings as (
    select follower_username, count(*) as followings
    from {{ ref('creator_follows') }}
    group by follower_username
),

latest_similarity as (
    select *
    from {{ ref('int_followings_similarity') }}
    where snapshot_date = (select max(snapshot_date) from {{ ref('int_followings') }})
),

commenters as (
    select distinct comments.creator_username, comments.commenter_username
    from {{ ref('fct_comments') }} as comments
    semi join roster using (creator_username)
    where comments.commenter_username is not null
        and lower(comments.commenter_username) <> lower(comments.creator_username)
),

commenter_counts as (
    select creator_username, count(*) as commenters
    from commenters
    group by creator_username
),

shared_commenters as (
    select a.creator_username as creator_a, b.creator_username as creator_b, count(*) as shared_commenters
    from commenters as a
    inner join commenters as b
        on a.commenter_username = b.commenter_username
        and a.creator_username < b.creator_username
    group by all
),

follows_between as (
    select distinct follower_username, followed_roster_username
    from {{ ref('creator_follows') }}
    where followed_roster_username is not null
),

pairs as (
    select creator_a, creator_b from latest_similarity
    union
    select creator_a, creator_b from shared_commenters
)

select
    pairs.creator_a,
    pairs.creator_b,
    niche_a.niche as niche_a,
    niche_b.niche as niche_b,
    case
        when following_a.followings is null or following_b.followings is null then null
        else coalesce(latest_similarity.following_jaccard, 0.0)
    end as following_jaccard,
    case
        when commenters_a.commenters is null or commenters_b.commenters is null then null
        else cast(coalesce(shared_commenters.shared_commenters, 0) as double)
            / (commenters_a.commenters + commenters_b.commenters - coalesce(shared_commenters.shared_commenters, 0))
    end as commenter_jaccard,
    a_to_b.follower_username is not null and b_to_a.follower_username is not null as is_mutual,
    a_to_b.follower_username is not null as a_follows_b,
    b_to_a.follower_username is not null as b_follows_a,
    coalesce(latest_similarity.shared_followings, 0) as shared_followings,
    coalesce(following_a.followings, 0) as followings_a,
    coalesce(following_b.followings, 0) as followings_b,
    coalesce(shared_commenters.shared_commenters, 0) as shared_commenters,
    coalesce(commenters_a.commenters, 0) as commenters_a,
    coalesce(commenters_b.commenters, 0) as commenters_b
from pairs
left join latest_similarity using (creator_a, creator_b)
left join shared_commenters using (creator_a, creator_b)
left join roster as niche_a on niche_a.creator_username = pairs.creator_a
left join roster as niche_b on niche_b.creator_username = pairs.creator_b
left join followings as following_a on following_a.follower_username = pairs.creator_a
left join followings as following_b on following_b.follower_username = pairs.creator_b
left join commenter_counts as commenters_a on commenters_a.creator_username = pairs.creator_a
left join commenter_counts as commenters_b on commenters_b.creator_username = pairs.creator_b
left join follows_between as a_to_b
    on a_to_b.follower_username = pairs.creator_a and a_to_b.followed_roster_username = pairs.creator_b
left join follows_between as b_to_a
    on b_to_a.follower_username = pairs.creator_b and b_to_a.followed_roster_username = pairs.creator_a
