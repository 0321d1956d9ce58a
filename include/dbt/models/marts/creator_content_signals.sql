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
-- The feed's posts are fct_video_snapshots' feed rows (int_creator_posts holds one row per video
-- and date, and every one of them is a feed row there), which carry the outlier flag, the
-- sponsorship signal and the engagement rate this model needs: no join back to the posts.
with posts as (
    select
        snapshot_date,
        creator_username,
        niche,
        video_id,
        created_at,
        play_count,
        is_outlier,
        sponsored_signal,
        engagement_rate,
        -- Microseconds since the epoch: timestamptz arithmetic goes through the session's
        -- calendar row by row, at several times the cost of the window below.
        epoch_us(created_at) as created_us,
        epoch_us(cast(snapshot_date + 1 as timestamp)) as day_end_us
    from {{ ref('fct_video_snapshots') }}
    -- Brand accounts (niche brand:<name>) are tracked for their mentions, not vetted.
    where seen_in_creator_posts and {{ in_replaced_dates() }} and not {{ is_brand_niche('niche') }}
),

ranked as (
    select
        *,
        -- 720 and 2160 hours, in microseconds.
        created_us > day_end_us - 2592000000000 as is_in_30d,
        created_us > day_end_us - 7776000000000 as is_in_90d,
        row_number() over newest_first <= 20 as is_recent,
        -- To the next newer post, or from the newest to the end of the day. One window for both:
        -- the 90 days' posts are the newest ones, so a post's next newer one is among them too.
        coalesce(lag(created_us) over newest_first, day_end_us) - created_us as gap_us
    from posts
    window newest_first as (
        partition by creator_username, snapshot_date
        order by created_at desc, video_id
    )
),

videos as (
    select
        * exclude (gap_us),
        -- epoch() of the timestamps' difference: whole days' seconds plus the rest's, in days.
        ((gap_us // 86400000000) * 86400.0 + cast(gap_us % 86400000000 as double) / 1e6) / 86400.0
            as gap_days
    from ranked
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
    select creator_username, snapshot_date from cadence
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

outlier_days as (
    select distinct creator_username, snapshot_date as outlier_date
    from {{ ref('fct_video_snapshots') }}
    where is_outlier
        and seen_in_creator_posts
        and creator_username in (select creator_username from creator_dates)
        and snapshot_date <= (select max(snapshot_date) from creator_dates)
),

-- Whether an outlier video explains an interval's jump depends on the interval alone, not on the
-- date it is judged from: decided once per interval.
judged_intervals as (
    select
        intervals.*,
        not exists (
            select 1
            from outlier_days
            where outlier_days.creator_username = intervals.creator_username
                and outlier_days.outlier_date between intervals.start_date - 2 and intervals.end_date
        ) as is_unexplained
    from intervals
),

-- Each creator's dates and its intervals in one stream ordered by day (an interval at its end
-- date), so one pass of range windows gives every date the intervals that end in its 90 (30)
-- days. Joining each date to those intervals instead made ~90 rows per creator and date.
profile_days as (
    select
        creator_username,
        end_date as day,
        gain_per_day,
        is_unexplained,
        false as is_date
    from judged_intervals
    union all
    select
        creator_username,
        snapshot_date as day,
        null as gain_per_day,
        null as is_unexplained,
        true as is_date
    from creator_dates
),

windowed as (
    select
        creator_username,
        day as snapshot_date,
        list(gain_per_day) filter (where not is_date) over last_90_days as gains_90d,
        -- A spike needs one unexplained interval of the 30 days above the threshold: the largest
        -- such gain decides.
        max(gain_per_day) filter (where not is_date and is_unexplained) over last_30_days
            as top_unexplained_gain_30d
    from profile_days
    window
        last_90_days as (
            partition by creator_username order by day
            range between interval 89 day preceding and current row
        ),
        last_30_days as (
            partition by creator_username order by day
            range between interval 29 day preceding and current row
        )
    qualify is_date
),

baseline as (
    select
        creator_username,
        snapshot_date,
        coalesce(len(gains_90d), 0) as intervals,
        list_median(gains_90d) as median_gain,
        top_unexplained_gain_30d,
        gains_90d
    from windowed
),

deviation as (
    select
        creator_username,
        snapshot_date,
        intervals,
        median_gain,
        list_median(list_transform(gains_90d, lambda gain: abs(gain - median_gain))) as mad_gain,
        top_unexplained_gain_30d
    from baseline
),

spikes as (
    select
        creator_username,
        snapshot_date,
        -- The MAD counts as at least 10 % of the median gain and 1 follower a day: with perfectly
        -- steady growth (MAD 0) any rise above the median would otherwise be a spike.
        coalesce(
            intervals >= 3
            and top_unexplained_gain_30d
                > median_gain + 5 * greatest(mad_gain, 0.1 * abs(median_gain), 1),
            false
        ) as has_spike
    from deviation
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
    coalesce(spikes.has_spike, false) as has_follower_spike,
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
