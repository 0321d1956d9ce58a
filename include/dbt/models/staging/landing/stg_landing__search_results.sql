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
        {{ required_column('search_results', 'video_id', 'varchar') }} as video_id,
        cast(author_unique_id as varchar) as author_unique_id,
        cast(author_nickname as varchar) as author_nickname,
        cast(author_sec_uid as varchar) as author_sec_uid,
        cast(description as varchar) as description,
        {{ required_column('search_results', 'created_at', 'timestamp with time zone') }} as created_at,
        {{ required_column('search_results', 'play_count', 'bigint') }} as play_count,
        {{ required_column('search_results', 'digg_count', 'bigint') }} as digg_count,
        {{ required_column('search_results', 'comment_count', 'bigint') }} as comment_count,
        {{ required_column('search_results', 'share_count', 'bigint') }} as share_count,
        cast(collect_count as bigint) as collect_count,
        cast(download_count as bigint) as download_count,
        cast(duration_ms as bigint) as duration_ms,
        cast(music_title as varchar) as music_title,
        cast(music_author as varchar) as music_author,
        cast(hashtags as varchar[]) as hashtags,
        cast(is_ads as boolean) as is_ads,
        cast(region as varchar) as region,
        {{ required_column('search_results', 'raw_json', 'varchar') }} as raw_json,
        filename as landing_file
    from source
)

select * from renamed
