-- depends_on: {{ ref('int_signal_rebuild_dates') }}
{{ config(replace_dates='signals') }}
{#
    Each landed comment with its score and its duplicate flag. Grain: comment x snapshot date
    (every sampling of a video; fct_comments keeps each video's first).

    The score: of the comment's score rows on its snapshot date (the scoring step writes them
    beside the comments), the one of the comments load the comment was picked from
    (comments_load_id = load_id) wins, else the one of another load of that day (the same comment
    scored from an earlier capture); then the latest captured_at, then the higher
    scorer_version. A comment without any score row (the scoring step has not run) has NULL
    score columns.

    is_duplicate_text: another comment (another comment_id) on a video of the same creator,
    sampled on the same snapshot date or in the 30 days before, has the same text key
    (macros/signals.sql: case, spaces and repeated characters ignored). The flag is as of the
    comment's sampling: a later copy flags the later comment, never an earlier one.
#}
with comments as (
    select
        *,
        coalesce(creator_username, video_author_unique_id) as video_creator,
        -- (noqa: the key macro uses DuckDB's lambda syntax, which sqlfluff does not parse)
        {{ comment_text_key('text') }} as text_key  -- noqa: PRS
    from {{ ref('int_comments') }}
    where {{ in_replaced_dates() }}
),

scores as (
    select *
    from {{ ref('int_comment_scores') }}
    where {{ in_replaced_dates() }}
),

scored as (
    select
        comments.*,
        scores.comments_load_id as scored_load_id,
        scores.language,
        scores.language_confidence,
        scores.sentiment_score,
        scores.sentiment_label,
        scores.is_question,
        scores.purchase_intent,
        scores.is_generic,
        scores.terms,
        scores.scorer_version,
        scores.captured_at as scored_at
    from comments
    left join scores
        on scores.snapshot_date = comments.snapshot_date
        and scores.comment_id = comments.comment_id
    qualify row_number() over (
        partition by comments.snapshot_date, comments.comment_id
        order by
            scores.comments_load_id = comments.load_id desc nulls last,
            scores.captured_at desc nulls last,
            scores.scorer_version desc nulls last
    ) = 1
),

lookback as (
    select
        earlier.snapshot_date,
        earlier.comment_id,
        coalesce(earlier.creator_username, earlier.video_author_unique_id) as video_creator,
        {{ comment_text_key('earlier.text') }} as text_key  -- noqa: PRS
    from {{ ref('int_comments') }} as earlier
    where earlier.snapshot_date between (select min(snapshot_date) - 30 from comments)
        and (select max(snapshot_date) from comments)
        and coalesce(earlier.creator_username, earlier.video_author_unique_id)
            in (select video_creator from comments)
),

duplicated as (
    select distinct scored.snapshot_date, scored.comment_id
    from scored
    inner join lookback
        on lookback.video_creator = scored.video_creator
        and lookback.text_key = scored.text_key
        and lookback.comment_id <> scored.comment_id
        and lookback.snapshot_date between scored.snapshot_date - 30 and scored.snapshot_date
)

select
    scored.snapshot_date,
    scored.comment_id,
    scored.video_id,
    scored.video_creator as creator_username,
    scored.creator_username as roster_creator_username,
    scored.sample_source,
    scored.query,
    scored.page,
    scored.comment_rank,
    scored.parent_comment_id,
    scored.text,
    scored.text_key,
    scored.created_at,
    scored.like_count,
    scored.reply_count,
    scored.commenter_unique_id,
    scored.commenter_nickname,
    scored.language,
    scored.language_confidence,
    scored.sentiment_score,
    scored.sentiment_label,
    scored.is_question,
    scored.purchase_intent,
    scored.is_generic,
    duplicated.comment_id is not null as is_duplicate_text,
    scored.terms,
    scored.scorer_version,
    scored.scored_load_id,
    scored.scored_at,
    scored.load_id,
    scored.run_id,
    scored.captured_at
from scored
left join duplicated
    on duplicated.snapshot_date = scored.snapshot_date
    and duplicated.comment_id = scored.comment_id
