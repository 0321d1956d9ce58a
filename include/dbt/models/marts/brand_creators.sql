{{ config(materialized='table') }}
{#
    Grain: brand x creator (creator_username of the mentioning videos: the roster or brand handle
    for feed videos, the author for search results). Over every date of brand_mentions, rebuilt
    whole on every build (one row per pair, small). Who already talks about a brand, and how:
      - mentions: the creator's distinct videos that mentioned the brand; owned, sponsored and
        earned mentions split them by each video's mention_type on its latest snapshot (a caption
        edited into a disclosure moves a video from earned to sponsored);
      - views, engagements: the sum over those videos of their latest snapshot's counts;
        engagement_rate their pooled (likes + comments + shares) / views;
      - first_mention_date, last_mention_date: the first and last snapshot dates with a mention;
      - is_brand_account: the creator is one of the brand's own handles (its mentions are owned).
    Earned mentions without a sponsored one are the unpaid UGC creators.
#}
with latest as (
    select *
    from {{ ref('brand_mentions') }}
    where creator_username is not null
    qualify row_number() over (partition by brand, video_id order by snapshot_date desc) = 1
),

spans as (
    select
        brand,
        creator_username,
        min(snapshot_date) as first_mention_date,
        max(snapshot_date) as last_mention_date,
        count(distinct snapshot_date) as mention_dates
    from {{ ref('brand_mentions') }}
    where creator_username is not null
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
        {{ safe_ratio('sum(engagements) filter (where play_count > 0)', 'sum(play_count) filter (where play_count > 0)') }} as engagement_rate,
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
left join {{ ref('dim_creators') }} as creators
    on creators.creator_username = per_creator.creator_username
