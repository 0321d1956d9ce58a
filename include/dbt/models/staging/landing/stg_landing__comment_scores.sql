-- One row per comment scored by the scoring step on the build's snapshot date (landing
-- comment_scores, written beside the comments). No partition (older landing zones): an empty view.
with source as (
    {{ read_landing_partition(source('landing', 'comment_scores')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('comment_scores') }} as snapshot_date,
        {{ required_column('comment_scores', 'comment_id', 'varchar') }} as comment_id,
        {{ required_column('comment_scores', 'video_id', 'varchar') }} as video_id,
        {{ required_column('comment_scores', 'comments_load_id', 'varchar') }} as comments_load_id,
        cast(language as varchar) as language,
        cast(language_confidence as double) as language_confidence,
        cast(sentiment_score as double) as sentiment_score,
        {{ required_column('comment_scores', 'sentiment_label', 'varchar') }} as sentiment_label,
        {{ required_column('comment_scores', 'is_question', 'boolean') }} as is_question,
        {{ required_column('comment_scores', 'purchase_intent', 'boolean') }} as purchase_intent,
        {{ required_column('comment_scores', 'is_generic', 'boolean') }} as is_generic,
        {{ required_column('comment_scores', 'normalized_text', 'varchar') }} as normalized_text,
        {{ required_column('comment_scores', 'terms', 'varchar[]') }} as terms,
        {{ required_column('comment_scores', 'scorer_version', 'varchar') }} as scorer_version,
        filename as landing_file,
        {{ lineage_columns() }}
    from source
)

select * from renamed
