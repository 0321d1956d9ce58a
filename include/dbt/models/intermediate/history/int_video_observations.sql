-- Every video seen on a loaded date, from creator feeds and query results, with one set of
-- counts. Grain: video x snapshot date. A feed row wins over a search row (it carries the roster
-- handle); among search rows the one with the most views wins (the latest capture).
-- Each build replaces its snapshot date.
-- int_creator_posts holds at most one row per video and date, so the feed rows are kept as they
-- are and only the search rows are ranked (a window over the union sorted every feed row too,
-- captions and hashtag lists with it: two thirds of the model's time at 10M rows). feed_rows is
-- read twice, and not materialized: the anti join reads only its keys.
with feed_rows as not materialized (
    select
        snapshot_date,
        video_id,
        creator_username,
        author_unique_id,
        niche,
        created_at,
        play_count,
        digg_count,
        comment_count,
        share_count,
        collect_count,
        description,
        hashtags,
        is_ads
    from {{ ref('int_creator_posts') }}
    where {{ is_loaded_date() }}
),

best_search_rows as (
    select
        snapshot_date,
        video_id,
        author_unique_id,
        created_at,
        play_count,
        digg_count,
        comment_count,
        share_count,
        collect_count,
        description,
        hashtags,
        is_ads,
        count(*) over (partition by video_id, snapshot_date) as search_appearances
    from {{ ref('int_search_results') }}
    where {{ is_loaded_date() }}
    qualify row_number() over (
        partition by video_id, snapshot_date order by play_count desc, query
    ) = 1
)

select
    feed.snapshot_date,
    feed.video_id,
    coalesce(feed.creator_username, feed.author_unique_id) as creator_username,
    feed.author_unique_id,
    feed.niche,
    feed.created_at,
    feed.play_count,
    feed.digg_count,
    feed.comment_count,
    feed.share_count,
    feed.collect_count,
    true as seen_in_creator_posts,
    coalesce(searched.search_appearances, 0) as search_appearances,
    feed.description,
    feed.hashtags,
    feed.is_ads
from feed_rows as feed
left join best_search_rows as searched
    on feed.video_id = searched.video_id and feed.snapshot_date = searched.snapshot_date

union all

select
    searched.snapshot_date,
    searched.video_id,
    searched.author_unique_id as creator_username,
    searched.author_unique_id,
    cast(null as varchar) as niche,
    searched.created_at,
    searched.play_count,
    searched.digg_count,
    searched.comment_count,
    searched.share_count,
    searched.collect_count,
    false as seen_in_creator_posts,
    searched.search_appearances,
    searched.description,
    searched.hashtags,
    searched.is_ads
from best_search_rows as searched
anti join feed_rows as feed
    on searched.video_id = feed.video_id and searched.snapshot_date = feed.snapshot_date
