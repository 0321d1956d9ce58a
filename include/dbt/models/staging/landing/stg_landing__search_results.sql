-- One row per video returned by a tracked query on the build's snapshot date (landing search_results).
with source as (
    {{ read_landing_partition(source('landing', 'search_results')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('search_results') }} as snapshot_date,
        {{ required_column('search_results', 'query', 'varchar') }} as query,
        {{ required_column('search_results', 'query_type', 'varchar') }} as query_type,
        cast(hashtag_id as varchar) as hashtag_id,
        {{ required_column('search_results', 'page', 'integer') }} as page,
        {{ required_column('search_results', 'result_rank', 'integer') }} as result_rank,
        {{ video_columns('search_results') }},
        {{ lineage_columns() }}
    from source
)

select * from renamed
