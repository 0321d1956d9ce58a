-- One row per comment (or reply) of a sampled video on the build's snapshot date (landing
-- comments). Landing zones older than comment sampling have no partition: an empty, typed view.
with source as (
    {{ read_landing_partition(source('landing', 'comments')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('comments') }} as snapshot_date,
        {{ required_column('comments', 'video_id', 'varchar') }} as video_id,
        cast(creator_username as varchar) as creator_username,
        cast(video_author_unique_id as varchar) as video_author_unique_id,
        {{ required_column('comments', 'sample_source', 'varchar') }} as sample_source,
        cast(query as varchar) as query,
        {{ required_column('comments', 'page', 'integer') }} as page,
        {{ required_column('comments', 'comment_rank', 'integer') }} as comment_rank,
        {{ required_column('comments', 'comment_id', 'varchar') }} as comment_id,
        cast(parent_comment_id as varchar) as parent_comment_id,
        {{ required_column('comments', 'text', 'varchar') }} as text,
        {{ required_column('comments', 'created_at', 'timestamp with time zone') }} as created_at,
        {{ required_column('comments', 'like_count', 'bigint') }} as like_count,
        cast(reply_count as bigint) as reply_count,
        cast(commenter_unique_id as varchar) as commenter_unique_id,
        cast(commenter_nickname as varchar) as commenter_nickname,
        {{ required_column('comments', 'raw_json', 'varchar') }} as raw_json,
        filename as landing_file,
        {{ lineage_columns() }}
    from source
)

select * from renamed
