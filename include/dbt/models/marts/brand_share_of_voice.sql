-- depends_on: {{ ref('int_signal_rebuild_dates') }}
{{ config(replace_dates='signals') }}
{#
    Grain: brand x snapshot date, for every tracked brand (int_brand_terms) and every date with a
    captured video: a brand not mentioned that date has a row of zeros. Share of search-visible
    voice: the mentions (brand_mentions) among what the project captures, the top results of the
    tracked searches and the tracked feeds, not a census of TikTok.
      - videos, views, engagements (likes + comments + shares), creators: the brand's mentioning
        videos that date (each video once, its counts of that date) and their distinct creators;
        owned/sponsored/earned splits of videos and views beside them;
      - share_of_voice_views, _videos, _creators: the brand's value over the sum of the values of
        the brands of its competitive set that date (the shares of a set add up to 1; a creator
        who mentions two brands counts for both); NULL when the set has none;
      - earned_share: earned views over the brand's views (NULL without views);
      - new_ugc_creators: creators with an earned mention of the brand that date and none before;
      - net_sentiment: (positive - negative) / scored comments, pooled over the sampled comments
        (fct_comments: each video's first sampling, on or before the date) of the brand's
        mentioning videos that date; NULL where none of them had comments sampled.
#}
with replaced_dates as (
    {% if is_incremental() %}
    {{ replaced_snapshot_dates_sql() }}
    {% else %}
    select distinct snapshot_date from {{ ref('fct_video_snapshots') }}
    {% endif %}
),

brands as (
    select distinct brand, competitive_set from {{ ref('int_brand_terms') }}
),

dates as (
    select distinct snapshots.snapshot_date
    from {{ ref('fct_video_snapshots') }} as snapshots
    where snapshots.snapshot_date in (select snapshot_date from replaced_dates)
),

grid as (
    select brands.brand, brands.competitive_set, dates.snapshot_date
    from brands
    cross join dates
),

mentions as (
    select *
    from {{ ref('brand_mentions') }}
    where snapshot_date in (select snapshot_date from replaced_dates)
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
    from mentions
    group by all
),

earned_firsts as (
    select brand, creator_username, min(snapshot_date) as first_earned_date
    from {{ ref('brand_mentions') }}
    where mention_type = 'earned'
        and snapshot_date <= (select max(snapshot_date) from replaced_dates)
        and creator_username is not null
    group by all
),

new_ugc as (
    select brand, first_earned_date as snapshot_date, count(*) as new_ugc_creators
    from earned_firsts
    where first_earned_date in (select snapshot_date from replaced_dates)
    group by all
),

sentiment as (
    select
        mentions.brand,
        mentions.snapshot_date,
        count(distinct comments.video_id) as videos_with_comments,
        count(*) as comments_analyzed,
        count(*) filter (where {{ is_scored('comments.sentiment_label') }}) as scored_comments,
        count(*) filter (where comments.sentiment_label = 'positive') as positive_comments,
        count(*) filter (where comments.sentiment_label = 'negative') as negative_comments
    from mentions
    inner join {{ ref('fct_comments') }} as comments
        on comments.video_id = mentions.video_id
        and comments.snapshot_date <= mentions.snapshot_date
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
        coalesce(new_ugc.new_ugc_creators, 0) as new_ugc_creators,
        coalesce(sentiment.videos_with_comments, 0) as videos_with_comments,
        coalesce(sentiment.comments_analyzed, 0) as comments_analyzed,
        coalesce(sentiment.scored_comments, 0) as scored_comments,
        cast(sentiment.positive_comments - sentiment.negative_comments as double)
            / nullif(sentiment.scored_comments, 0) as net_sentiment
    from grid
    left join per_brand using (brand, snapshot_date)
    left join new_ugc using (brand, snapshot_date)
    left join sentiment using (brand, snapshot_date)
),

with_sets as (
    select
        *,
        sum(views) over by_set as set_views,
        sum(videos) over by_set as set_videos,
        sum(creators) over by_set as set_creators
    from measured
    window by_set as (partition by competitive_set, snapshot_date)
)

select
    brand,
    snapshot_date,
    videos,
    views,
    engagements,
    creators,
    cast(views as double) / nullif(set_views, 0) as share_of_voice_views,
    cast(videos as double) / nullif(set_videos, 0) as share_of_voice_videos,
    cast(creators as double) / nullif(set_creators, 0) as share_of_voice_creators,
    cast(earned_views as double) / nullif(views, 0) as earned_share,
    new_ugc_creators,
    net_sentiment,
    competitive_set,
    owned_videos,
    sponsored_videos,
    earned_videos,
    owned_views,
    sponsored_views,
    earned_views,
    videos_with_comments,
    comments_analyzed,
    scored_comments
from with_sets
