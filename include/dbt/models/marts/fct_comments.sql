-- depends_on: {{ ref('int_signal_rebuild_dates') }}
{{ config(replace_dates='signals') }}
{#
    Grain: comment. The comments (and replies) of every sampled video, from the video's first
    sampled date (its snapshot_date here): the sampling policy samples a video once, at a
    comparable age, and a later sample of the same video (a vet run, a query's top videos) does
    not replace it. Within that date the latest capture of the video's comments wins, whole
    (int_comments), with its score (int_scored_comments). Keyed by snapshot_date like the other
    dated marts, so a build replaces only the dates it rebuilt.
#}
with comments as (
    select *
    from {{ ref('int_scored_comments') }}
    where {{ in_replaced_dates() }}
),

earlier_samplings as (
    select distinct video_id, snapshot_date
    from {{ ref('int_comments') }}
    where video_id in (select video_id from comments)
)

select
    comments.comment_id,
    comments.video_id,
    comments.creator_username,
    comments.commenter_unique_id as commenter_username,
    comments.created_at,
    comments.like_count,
    comments.reply_count,
    comments.language,
    comments.sentiment_score,
    comments.sentiment_label,
    comments.is_generic,
    comments.is_duplicate_text,
    comments.captured_at,
    comments.snapshot_date,
    comments.roster_creator_username,
    comments.sample_source,
    comments.query,
    comments.parent_comment_id,
    comments.parent_comment_id is not null as is_reply,
    comments.commenter_nickname,
    comments.text,
    comments.is_question,
    comments.purchase_intent,
    comments.terms,
    comments.scorer_version,
    comments.load_id
from comments
anti join earlier_samplings
    on earlier_samplings.video_id = comments.video_id
    and earlier_samplings.snapshot_date < comments.snapshot_date
