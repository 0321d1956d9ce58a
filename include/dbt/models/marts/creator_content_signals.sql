-- depends_on: {{ ref('int_signal_rebuild_dates') }}
{{ config(replace_dates='signals') }}
{#
    Grain: creator x snapshot date (dates with a captured feed). Cadence, reach and sponsorship
    from the creator's feed captured that day (what user/posts returned: its most recent posts,
    so the 30- and 90-day windows see at most that many posts), and growth from the profile
    snapshots. "The end of the day" is snapshot_date + 1 day, 00:00 UTC.
      - posts_per_week_30d: feed posts created in the 30 days to the end of the day, * 7 / 30;
      - days_since_last_post: snapshot_date minus the newest post's date (UTC), in days;
      - max_gap_days_90d: the longest stretch, in days, between consecutive posts created in the
        90 days to the end of the day, or from the newest of them to the end of the day; NULL
        without a post in those 90 days;
      - median_views_recent: median play_count of the recent posts (the 20 most recently created);
      - outlier_videos_30d: feed posts created in the 30 days with fct_video_snapshots.is_outlier;
      - sponsored_share_30d: of the feed posts created in the 30 days, the share with a
        sponsored_signal (`disclosed` or `likely`); NULL without posts in the 30 days;
      - sponsored_engagement_lift: over the recent posts, the median engagement_rate of the
        sponsored ones over the median of the organic ones (`none`); NULL without both, or when
        the organic median is 0;
      - follower_growth_7d / _30d: (followers now - followers then) / followers then, "now" the
        latest profile on or before the date, "then" the latest profile at least 7 (30) days
        before now's and at most 14 days more; NULL without one;
      - has_follower_spike: among the profile intervals (consecutive snapshots) ending in the 90
        days to the date, gain per day = follower change / days between; an interval ending in
        the last 30 days whose gain per day is above the median gain per day plus 5 median
        absolute deviations (the MAD taken as at least 10 % of the median and at least 1 follower
        a day, so that steady growth, whose MAD is 0, does not make every rise a spike), with no video of the creator flagged is_outlier on a snapshot from
        2 days before the interval's start to its end (for a one-day interval: the day of the
        jump and the 3 days before), is a spike. Needs 3 intervals; false otherwise.
#}
with posts as (
    select
        snapshot_date,
        creator_username,
        niche,
        video_id,
        created_at,
        play_count,
        timezone('UTC', cast(snapshot_date + 1 as timestamp)) as day_end
    from {{ ref('int_creator_posts') }}
    -- Brand accounts (niche brand:<name>) are tracked for their mentions, not vetted.
    where {{ in_replaced_dates() }} and not {{ is_brand_niche('niche') }}
),

videos as (
    select
        posts.*,
        snapshots.is_outlier,
        snapshots.sponsored_signal,
        snapshots.engagement_rate,
        -- Hours, not days: a day interval on a timestamptz follows the session's time zone (DST).
        posts.created_at > posts.day_end - interval 720 hour as is_in_30d,
        posts.created_at > posts.day_end - interval 2160 hour as is_in_90d,
        row_number() over newest_first <= 20 as is_recent,
        -- To the next newer post, or from the newest to the end of the day. One window for both:
        -- the 90 days' posts are the newest ones, so a post's next newer one is among them too.
        epoch(coalesce(lag(posts.created_at) over newest_first, posts.day_end) - posts.created_at)
            / 86400.0 as gap_days
    from posts
    left join {{ ref('fct_video_snapshots') }} as snapshots
        on snapshots.video_id = posts.video_id
        and snapshots.snapshot_date = posts.snapshot_date
        and {{ in_replaced_dates('snapshots.snapshot_date') }}
    window newest_first as (
        partition by posts.creator_username, posts.snapshot_date
        order by posts.created_at desc, posts.video_id
    )
),

cadence as (
    select
        videos.creator_username,
        videos.snapshot_date,
        any_value(videos.niche) as niche,
        count(*) as posts_captured,
        count(*) filter (where is_in_30d) as posts_30d,
        count(*) filter (where is_in_30d) * 7.0 / 30 as posts_per_week_30d,
        max(created_at) as last_post_at,
        videos.snapshot_date - cast(timezone('UTC', max(created_at)) as date) as days_since_last_post,
        {{ group_median('play_count', 'is_recent') }} as median_views_recent,
        count(*) filter (where is_in_30d and is_outlier) as outlier_videos_30d,
        count(*) filter (where is_in_30d and sponsored_signal in ('disclosed', 'likely')) as sponsored_posts_30d,
        {{ share("sponsored_signal in ('disclosed', 'likely')", 'is_in_30d') }} as sponsored_share_30d,
        {{ group_median('engagement_rate', "is_recent and sponsored_signal in ('disclosed', 'likely')") }}
            as median_engagement_rate_sponsored,
        {{ group_median('engagement_rate', "is_recent and sponsored_signal = 'none'") }}
            as median_engagement_rate_organic,
        max(gap_days) filter (where is_in_90d) as max_gap_days_90d
    from videos
    group by videos.creator_username, videos.snapshot_date
),

creator_dates as (
    select distinct creator_username, snapshot_date from posts
),

creator_profiles as (
    select creator_username, snapshot_date as profile_date, follower_count
    from {{ ref('int_profiles') }}
    where creator_username in (select creator_username from creator_dates)
        and snapshot_date <= (select max(snapshot_date) from creator_dates)
),

now_profiles as (
    select creator_dates.*, now.profile_date as now_date, now.follower_count as followers_now
    from creator_dates
    asof left join creator_profiles as now
        on now.creator_username = creator_dates.creator_username
        and creator_dates.snapshot_date >= now.profile_date
),

growth as (
    select
        now_profiles.*,
        week.follower_count as followers_7d_before,
        week.profile_date as profile_date_7d_before,
        month.follower_count as followers_30d_before,
        month.profile_date as profile_date_30d_before
    from now_profiles
    asof left join creator_profiles as week
        on week.creator_username = now_profiles.creator_username
        and now_profiles.now_date - 7 >= week.profile_date
    asof left join creator_profiles as month
        on month.creator_username = now_profiles.creator_username
        and now_profiles.now_date - 30 >= month.profile_date
),

intervals as (
    select
        creator_username,
        lag(profile_date) over by_date as start_date,
        profile_date as end_date,
        (follower_count - lag(follower_count) over by_date)
            / (profile_date - lag(profile_date) over by_date) as gain_per_day
    from creator_profiles
    window by_date as (partition by creator_username order by profile_date)
    qualify lag(profile_date) over by_date is not null
),

date_intervals as (
    select creator_dates.creator_username, creator_dates.snapshot_date, intervals.start_date, intervals.end_date, intervals.gain_per_day
    from creator_dates
    inner join intervals
        on intervals.creator_username = creator_dates.creator_username
        and intervals.end_date <= creator_dates.snapshot_date
        and intervals.end_date > creator_dates.snapshot_date - 90
),

baseline as (
    select creator_username, snapshot_date, count(*) as intervals, {{ group_median('gain_per_day') }} as median_gain
    from date_intervals
    group by all
),

deviation as (
    select
        baseline.creator_username,
        baseline.snapshot_date,
        baseline.intervals,
        baseline.median_gain,
        {{ group_median('abs(date_intervals.gain_per_day - baseline.median_gain)') }} as mad_gain
    from baseline
    inner join date_intervals using (creator_username, snapshot_date)
    group by all
),

outlier_days as (
    select distinct creator_username, snapshot_date as outlier_date
    from {{ ref('fct_video_snapshots') }}
    where is_outlier
        and seen_in_creator_posts
        and creator_username in (select creator_username from creator_dates)
        and snapshot_date <= (select max(snapshot_date) from creator_dates)
),

spikes as (
    select date_intervals.creator_username, date_intervals.snapshot_date, count(*) as spikes
    from date_intervals
    inner join deviation using (creator_username, snapshot_date)
    where deviation.intervals >= 3
        and date_intervals.end_date > date_intervals.snapshot_date - 30
        -- The MAD counts as at least 10 % of the median gain and 1 follower a day: with perfectly
        -- steady growth (MAD 0) any rise above the median would otherwise be a spike.
        and date_intervals.gain_per_day > deviation.median_gain
            + 5 * greatest(deviation.mad_gain, 0.1 * abs(deviation.median_gain), 1)
        and not exists (
            select 1
            from outlier_days
            where outlier_days.creator_username = date_intervals.creator_username
                and outlier_days.outlier_date between date_intervals.start_date - 2 and date_intervals.end_date
        )
    group by all
)

select
    cadence.creator_username,
    cadence.snapshot_date,
    cadence.posts_per_week_30d,
    cadence.days_since_last_post,
    cadence.max_gap_days_90d,
    cadence.median_views_recent,
    cadence.outlier_videos_30d,
    cadence.sponsored_share_30d,
    case
        when cadence.median_engagement_rate_organic > 0
            then cadence.median_engagement_rate_sponsored / cadence.median_engagement_rate_organic
    end as sponsored_engagement_lift,
    case
        when growth.profile_date_7d_before >= growth.now_date - 21
            then cast(growth.followers_now - growth.followers_7d_before as double) / nullif(growth.followers_7d_before, 0)
    end as follower_growth_7d,
    case
        when growth.profile_date_30d_before >= growth.now_date - 44
            then cast(growth.followers_now - growth.followers_30d_before as double) / nullif(growth.followers_30d_before, 0)
    end as follower_growth_30d,
    coalesce(spikes.spikes, 0) > 0 as has_follower_spike,
    cadence.niche,
    cadence.posts_captured,
    cadence.posts_30d,
    cadence.last_post_at,
    cadence.sponsored_posts_30d,
    cadence.median_engagement_rate_sponsored,
    cadence.median_engagement_rate_organic,
    growth.followers_now as follower_count,
    growth.now_date as profile_snapshot_date,
    coalesce(deviation.intervals, 0) as profile_intervals_90d,
    deviation.median_gain as median_daily_follower_gain,
    deviation.mad_gain as mad_daily_follower_gain
from cadence
left join growth using (creator_username, snapshot_date)
left join deviation using (creator_username, snapshot_date)
left join spikes using (creator_username, snapshot_date)
