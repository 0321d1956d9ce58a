{#
    The snapshot dates whose derived rows this build must (re)compute. Grain: snapshot date.

    Loading day D (or a range of days ending at D) changes those days' rows, and also rows of later,
    already-loaded dates whose columns look back at D. Listing those dates is what lets days be backfilled in any order and still give
    the same marts as an in-order load:
      - a video's next snapshot after D (views_gained, shares_gained, is_implausible compare with
        the previous snapshot, which may now be D);
      - a query-video pair's next appearance after D (is_new: D may now be its first);
      - a query's next snapshot after D (share_growth compares with the previous snapshot date);
      - a creator's later dates up to its next profile (follower_count and follower_tier are the
        latest profile on or before the date, which may now be D's), and so the niche benchmarks,
        percentiles and vetting scores of those dates.
    When D is the newest day (the daily case) every "later" set is empty and only D is rebuilt.
-#}
with loaded as (
    select snapshot_date, 'loaded' as reason
    from ({{ loaded_dates_sql() }})
),

videos_on_day as (
    select video_id
    from {{ ref('int_video_observations') }}
    where {{ is_loaded_date() }}
),

next_video_snapshot as (
    select min(later.snapshot_date) as snapshot_date, 'next_video_snapshot' as reason
    from {{ ref('int_video_observations') }} as later
    inner join videos_on_day using (video_id)
    where later.snapshot_date > {{ snapshot_end_date_literal() }}
    group by later.video_id
),

query_videos_on_day as (
    select distinct query, video_id
    from {{ ref('int_search_results') }}
    where {{ is_loaded_date() }}
),

next_query_video_appearance as (
    select min(later.snapshot_date) as snapshot_date, 'next_query_video_appearance' as reason
    from {{ ref('int_search_results') }} as later
    inner join query_videos_on_day using (query, video_id)
    where later.snapshot_date > {{ snapshot_end_date_literal() }}
    group by later.query, later.video_id
),

queries_on_day as (
    select distinct query
    from query_videos_on_day
),

next_query_snapshot as (
    select min(later.snapshot_date) as snapshot_date, 'next_query_snapshot' as reason
    from {{ ref('int_search_results') }} as later
    inner join queries_on_day using (query)
    where later.snapshot_date > {{ snapshot_end_date_literal() }}
    group by later.query
),

profiles_on_day as (
    select distinct creator_username
    from {{ ref('int_profiles') }}
    where {{ is_loaded_date() }}
),

next_profile as (
    select
        profiles_on_day.creator_username,
        min(later.snapshot_date) as next_profile_date
    from profiles_on_day
    left join {{ ref('int_profiles') }} as later
        on later.creator_username = profiles_on_day.creator_username
        and later.snapshot_date > {{ snapshot_end_date_literal() }}
    group by profiles_on_day.creator_username
),

dates_until_next_profile as (
    select distinct posts.snapshot_date, 'follower_count_until_next_profile' as reason
    from {{ ref('int_creator_posts') }} as posts
    inner join next_profile using (creator_username)
    where posts.snapshot_date > {{ snapshot_end_date_literal() }}
        and (next_profile.next_profile_date is null or posts.snapshot_date < next_profile.next_profile_date)
),

all_reasons as (
    select * from loaded
    union all select * from next_video_snapshot
    union all select * from next_query_video_appearance
    union all select * from next_query_snapshot
    union all select * from dates_until_next_profile
)

select
    snapshot_date,
    string_agg(distinct reason, ',' order by reason) as reasons
from all_reasons
group by snapshot_date
