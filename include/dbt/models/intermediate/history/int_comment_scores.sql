-- The landed history of comment scores. Grain: comment x comments_load_id x snapshot date: of the
-- scores of one landed comment (re-scorings add rows) the latest captured_at wins, ties by the
-- higher scorer_version, then the later file. Which comments load's score a comment uses is
-- decided downstream (int_scored_comments). Each build replaces its snapshot date.
with scores as (
    select * from {{ ref('stg_landing__comment_scores') }}
),

deduplicated as (
    select *
    from scores
    qualify row_number() over (
        partition by snapshot_date, comment_id, comments_load_id
        order by captured_at desc, scorer_version desc, load_id desc, landing_file desc
    ) = 1
)

select
    snapshot_date,
    comment_id,
    comments_load_id,
    video_id,
    language,
    language_confidence,
    sentiment_score,
    sentiment_label,
    is_question,
    purchase_intent,
    is_generic,
    normalized_text,
    terms,
    scorer_version,
    load_id,
    captured_at
from deduplicated
