-- One row per hashtag looked up for a hashtag query on the build's snapshot date (landing hashtags).
with source as (
    {{ read_landing_partition(source('landing', 'hashtags')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('hashtags') }} as snapshot_date,
        {{ required_column('hashtags', 'query', 'varchar') }} as query,
        {{ required_column('hashtags', 'hashtag_id', 'varchar') }} as hashtag_id,
        {{ required_column('hashtags', 'title', 'varchar') }} as title,
        cast(description as varchar) as description,
        cast(video_count as bigint) as video_count,
        cast(view_count as bigint) as view_count,
        {{ required_column('hashtags', 'raw_json', 'varchar') }} as raw_json,
        filename as landing_file,
        {{ lineage_columns() }}
    from source
)

select * from renamed
