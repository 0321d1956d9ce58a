-- Every video seen on a loaded date, from creator feeds and query results, with one set of
-- counts. Grain: video x snapshot date. A feed row wins over a search row (it carries the roster
-- handle); among search rows the one with the most views wins (the latest capture).
-- Each build replaces its snapshot date.
with feed_rows as (
    select
        snapshot_date,
        video_id,
        creator_username,
        niche,
        author_unique_id,
        created_at,
        play_count,
        digg_count,
        comment_count,
        share_count,
        collect_count,
        cast(null as varchar) as query,
        1 as source_priority,
        description,
        hashtags,
        is_ads
    from {{ ref('int_creator_posts') }}
    where {{ is_loaded_date() }}
),

search_rows as (
    select
        snapshot_date,
        video_id,
        cast(null as varchar) as creator_username,
        cast(null as varchar) as niche,
        author_unique_id,
        created_at,
        play_count,
        digg_count,
        comment_count,
        share_count,
        collect_count,
        query,
        2 as source_priority,
        description,
        hashtags,
        is_ads
    from {{ ref('int_search_results') }}
    where {{ is_loaded_date() }}
),

all_rows as (
    select * from feed_rows
    union all
    select * from search_rows
),

ranked as (
    select
        *,
        bool_or(source_priority = 1) over (partition by video_id, snapshot_date) as seen_in_creator_posts,
        count(query) over (partition by video_id, snapshot_date) as search_appearances,
        row_number() over (
            partition by video_id, snapshot_date
            order by source_priority, play_count desc, query
        ) as preference
    from all_rows
)

select
    snapshot_date,
    video_id,
    coalesce(creator_username, author_unique_id) as creator_username,
    author_unique_id,
    niche,
    created_at,
    play_count,
    digg_count,
    comment_count,
    share_count,
    collect_count,
    seen_in_creator_posts,
    search_appearances,
    description,
    hashtags,
    is_ads
from ranked
where preference = 1
