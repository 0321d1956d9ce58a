{#
    The snapshot dates whose comment and content-signal rows this build must (re)compute: the
    dates of int_rebuild_dates plus the later, already-loaded dates that look back further than
    they do. Grain: snapshot date. Used by the marts with replace_dates `signals`
    (int_scored_comments, fct_comments, video_comment_summary, creator_audience,
    creator_content_signals, creator_scorecard); the other marts keep int_rebuild_dates.
      - every loaded date up to {{ signal_lookback_days() }} days after the loaded range
        (`signal_lookback`): is_duplicate_text looks back 30 days of the creator's sampled
        comments, a video's comments are those of its first sampled date, and
        creator_content_signals looks back 90 days of profiles (follower growth, spikes) and of
        outlier videos (the 3 days before a spike);
      - any later date whose feed lists a video whose comments were loaded now
        (`feed_with_sampled_video`): creator_audience reads the comments of the recent posts,
        however old their sampling.
    When the build's last date is the newest loaded day (the daily case) both sets are empty.
-#}
with rebuild as (
    select snapshot_date, reasons
    from {{ ref('int_rebuild_dates') }}
),

later_feed_dates as (
    select distinct snapshot_date
    from {{ ref('int_creator_posts') }}
    where snapshot_date > {{ snapshot_end_date_literal() }}
),

within_lookback as (
    select snapshot_date, 'signal_lookback' as reason
    from later_feed_dates
    where snapshot_date <= {{ snapshot_end_date_literal() }} + {{ signal_lookback_days() }}
),

videos_sampled_now as (
    select distinct video_id
    from {{ ref('int_comments') }}
    where {{ is_loaded_date() }}
),

feeds_with_sampled_video as (
    select distinct posts.snapshot_date, 'feed_with_sampled_video' as reason
    from {{ ref('int_creator_posts') }} as posts
    semi join videos_sampled_now on posts.video_id = videos_sampled_now.video_id
    where posts.snapshot_date > {{ snapshot_end_date_literal() }}
),

all_reasons as (
    select snapshot_date, unnest(string_split(reasons, ',')) as reason from rebuild
    union all select * from within_lookback
    union all select * from feeds_with_sampled_video
)

select
    snapshot_date,
    string_agg(distinct reason, ',' order by reason) as reasons
from all_reasons
group by snapshot_date
