-- depends_on: {{ ref('int_signal_rebuild_dates') }}
{{ config(replace_dates='signals') }}
{#
    Grain: creator x snapshot date, for the dates whose recent posts (the 20 most recently created
    of the creator's posts captured that day, as in creator_scorecard) include at least one video
    with sampled comments on or before that date. Over those videos' comments (fct_comments: each
    video's first sampling):
      - videos_with_comments (the creator's sampled videos), comments_analyzed, scored_comments;
      - net_sentiment: positive minus negative comments over the scored comments, pooled;
      - negative_alert_videos: of the sampled videos, those with video_comment_summary's
        negative_alert;
      - repeat_commenter_rate: the commenters (the creator's own comments left out) who commented
        on at least half of the sampled videos, over the distinct commenters; NULL with fewer than
        3 sampled videos;
      - generic_comment_share (over comments with a score row), duplicate_comment_share (over all);
      - comment_authenticity (0-100):
            100 * (1 - (0.4 * generic_comment_share + 0.3 * duplicate_comment_share
                        + 0.3 * repeat_commenter_rate) / (sum of the weights of the shares present))
        so a share that is unknown (NULL) is left out and the weights renormalized; NULL when all
        three are. Generic praise weighs most (pods and bots leave it everywhere); repeated texts
        and the same accounts on most posts weigh the rest.
      - top_terms: up to 5 terms by the number of comments containing them, ties alphabetical.
#}
with day_posts as (
    select snapshot_date, creator_username, niche, video_id, created_at
    from {{ ref('int_creator_posts') }}
    -- Brand accounts (niche brand:<name>) are tracked for their mentions, not vetted.
    where {{ in_replaced_dates() }} and not {{ is_brand_niche('niche') }}
),

-- Only the creators with a sampled video in their feed: without comments (older landing zones,
-- the benchmark's) nothing below runs over the day's posts.
creators_with_comments as (
    select distinct day_posts.creator_username, day_posts.snapshot_date
    from day_posts
    semi join {{ ref('fct_comments') }} as sampled on sampled.video_id = day_posts.video_id
),

posts as (
    select day_posts.*
    from day_posts
    semi join creators_with_comments
        on creators_with_comments.creator_username = day_posts.creator_username
        and creators_with_comments.snapshot_date = day_posts.snapshot_date
),

recent_posts as (
    select *
    from posts
    qualify row_number() over (
        partition by creator_username, snapshot_date order by created_at desc, video_id
    ) <= 20
),

sampled as (
    select
        recent_posts.creator_username,
        recent_posts.snapshot_date,
        recent_posts.niche,
        comments.* exclude (creator_username, snapshot_date),
        comments.snapshot_date as sampled_date
    from recent_posts
    inner join {{ ref('fct_comments') }} as comments
        on comments.video_id = recent_posts.video_id
        and comments.snapshot_date <= recent_posts.snapshot_date
),

videos as (
    select
        sampled.creator_username,
        sampled.snapshot_date,
        sampled.video_id,
        count(*) filter (where {{ is_scored('sentiment_label') }}) as scored_comments,
        count(*) filter (where sentiment_label = 'negative') as negative_comments
    from sampled
    group by all
),

per_creator_videos as (
    select
        creator_username,
        snapshot_date,
        count(*) as videos_with_comments,
        count(*) filter (where {{ negative_alert('scored_comments', 'negative_comments') }}) as negative_alert_videos
    from videos
    group by all
),

commenters as (
    select creator_username, snapshot_date, commenter_username, count(distinct video_id) as videos_commented
    from sampled
    where commenter_username is not null and commenter_username <> creator_username
    group by all
),

per_creator_commenters as (
    select
        commenters.creator_username,
        commenters.snapshot_date,
        count(*) as distinct_commenters,
        count(*) filter (where 2 * commenters.videos_commented >= per_creator_videos.videos_with_comments)
            as repeat_commenters
    from commenters
    inner join per_creator_videos using (creator_username, snapshot_date)
    group by all
),

per_creator_comments as (
    select
        creator_username,
        snapshot_date,
        any_value(niche) as niche,
        count(*) as comments_analyzed,
        count(*) filter (where {{ is_scored('sentiment_label') }}) as scored_comments,
        count(*) filter (where sentiment_label = 'positive') as positive_comments,
        count(*) filter (where sentiment_label = 'negative') as negative_comments,
        {{ share('is_generic', 'scorer_version is not null') }} as generic_comment_share,
        {{ share('is_duplicate_text') }} as duplicate_comment_share,
        {{ share('is_question', 'scorer_version is not null') }} as question_share,
        {{ share('purchase_intent', 'scorer_version is not null') }} as purchase_intent_share,
        min(sampled_date) as first_sampled_date,
        max(sampled_date) as last_sampled_date
    from sampled
    group by all
),

terms as (
    {{ top_terms_select('sampled', ['creator_username', 'snapshot_date']) }}
),

combined as (
    select
        per_creator_comments.*,
        per_creator_videos.videos_with_comments,
        per_creator_videos.negative_alert_videos,
        coalesce(per_creator_commenters.distinct_commenters, 0) as distinct_commenters,
        coalesce(per_creator_commenters.repeat_commenters, 0) as repeat_commenters,
        case
            when per_creator_videos.videos_with_comments >= 3
                then cast(coalesce(per_creator_commenters.repeat_commenters, 0) as double)
                    / nullif(per_creator_commenters.distinct_commenters, 0)
        end as repeat_commenter_rate,
        terms.top_terms
    from per_creator_comments
    inner join per_creator_videos using (creator_username, snapshot_date)
    left join per_creator_commenters using (creator_username, snapshot_date)
    left join terms using (creator_username, snapshot_date)
)

select
    creator_username,
    snapshot_date,
    niche,
    videos_with_comments,
    comments_analyzed,
    cast(positive_comments - negative_comments as double) / nullif(scored_comments, 0) as net_sentiment,
    negative_alert_videos,
    repeat_commenter_rate,
    generic_comment_share,
    round(
        100 * (
            1 - (
                coalesce(0.4 * generic_comment_share, 0)
                + coalesce(0.3 * duplicate_comment_share, 0)
                + coalesce(0.3 * repeat_commenter_rate, 0)
            ) / nullif(
                case when generic_comment_share is not null then 0.4 else 0 end
                + case when duplicate_comment_share is not null then 0.3 else 0 end
                + case when repeat_commenter_rate is not null then 0.3 else 0 end,
                0
            )
        ),
        2
    ) as comment_authenticity,
    coalesce(top_terms, cast([] as varchar[])) as top_terms,
    scored_comments,
    duplicate_comment_share,
    question_share,
    purchase_intent_share,
    distinct_commenters,
    repeat_commenters,
    first_sampled_date,
    last_sampled_date
from combined
