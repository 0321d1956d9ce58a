-- depends_on: {{ ref('int_signal_rebuild_dates') }}
{{ config(replace_dates='signals') }}
{#
    Grain: video (each sampled video, on its first sampled date: snapshot_date). What its
    comments say, over fct_comments' rows of the video (comments and replies):
      - comments_analyzed: every comment; scored_share: those with a sentiment (not `unscored`,
        not awaiting a score) over comments_analyzed;
      - positive / neutral / negative_share and net_sentiment (positive share minus negative
        share) over the scored comments; NULL without any;
      - generic_comment_share, question_share, purchase_intent_share over the comments the scoring
        step looked at (those with a score row, scored or not); duplicate_comment_share over every
        comment;
      - top_terms: up to 5 terms (the scorer's `terms`), by the number of the video's comments
        containing them, ties alphabetical;
      - negative_alert: at least 10 scored comments and negative_share >= 0.40.
#}
with comments as (
    select *
    from {{ ref('fct_comments') }}
    where {{ in_replaced_dates() }}
),

per_video as (
    select
        video_id,
        snapshot_date,
        any_value(creator_username) as creator_username,
        any_value(roster_creator_username) as roster_creator_username,
        count(*) as comments_analyzed,
        count(*) filter (where {{ is_scored('sentiment_label') }}) as scored_comments,
        count(*) filter (where sentiment_label = 'positive') as positive_comments,
        count(*) filter (where sentiment_label = 'neutral') as neutral_comments,
        count(*) filter (where sentiment_label = 'negative') as negative_comments,
        count(distinct commenter_username) as distinct_commenters,
        {{ share("sentiment_label in ('positive', 'neutral', 'negative')") }} as scored_share,
        {{ share("sentiment_label = 'positive'", is_scored('sentiment_label')) }} as positive_share,
        {{ share("sentiment_label = 'neutral'", is_scored('sentiment_label')) }} as neutral_share,
        {{ share("sentiment_label = 'negative'", is_scored('sentiment_label')) }} as negative_share,
        {{ share('is_generic', 'scorer_version is not null') }} as generic_comment_share,
        {{ share('is_duplicate_text') }} as duplicate_comment_share,
        {{ share('is_question', 'scorer_version is not null') }} as question_share,
        {{ share('purchase_intent', 'scorer_version is not null') }} as purchase_intent_share,
        avg(sentiment_score) as avg_sentiment_score,
        max(captured_at) as captured_at
    from comments
    group by video_id, snapshot_date
),

terms as (
    {{ top_terms_select('comments', ['video_id']) }}
)

select
    per_video.video_id,
    per_video.creator_username,
    per_video.comments_analyzed,
    per_video.scored_share,
    per_video.positive_share,
    per_video.neutral_share,
    per_video.negative_share,
    per_video.positive_share - per_video.negative_share as net_sentiment,
    per_video.generic_comment_share,
    per_video.duplicate_comment_share,
    per_video.question_share,
    per_video.purchase_intent_share,
    coalesce(terms.top_terms, cast([] as varchar[])) as top_terms,
    {{ negative_alert('per_video.scored_comments', 'per_video.negative_comments') }} as negative_alert,
    per_video.snapshot_date,
    per_video.roster_creator_username,
    per_video.scored_comments,
    per_video.positive_comments,
    per_video.neutral_comments,
    per_video.negative_comments,
    per_video.distinct_commenters,
    per_video.avg_sentiment_score,
    per_video.captured_at
from per_video
left join terms using (video_id)
