-- One row per video in a roster creator's feed on the build's snapshot date (landing creator_posts).
with source as (
    {{ read_landing_partition(source('landing', 'creator_posts')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('creator_posts') }} as snapshot_date,
        {{ required_column('creator_posts', 'creator_username', 'varchar') }} as creator_username,
        cast(niche as varchar) as niche,
        {{ required_column('creator_posts', 'sec_uid', 'varchar') }} as sec_uid,
        {{ required_column('creator_posts', 'feed_position', 'integer') }} as feed_position,
        {{ required_column('creator_posts', 'video_id', 'varchar') }} as video_id,
        cast(author_unique_id as varchar) as author_unique_id,
        cast(author_nickname as varchar) as author_nickname,
        cast(author_sec_uid as varchar) as author_sec_uid,
        cast(description as varchar) as description,
        {{ required_column('creator_posts', 'created_at', 'timestamp with time zone') }} as created_at,
        {{ required_column('creator_posts', 'play_count', 'bigint') }} as play_count,
        {{ required_column('creator_posts', 'digg_count', 'bigint') }} as digg_count,
        {{ required_column('creator_posts', 'comment_count', 'bigint') }} as comment_count,
        {{ required_column('creator_posts', 'share_count', 'bigint') }} as share_count,
        cast(collect_count as bigint) as collect_count,
        cast(download_count as bigint) as download_count,
        cast(duration_ms as bigint) as duration_ms,
        cast(music_title as varchar) as music_title,
        cast(music_author as varchar) as music_author,
        cast(hashtags as varchar[]) as hashtags,
        cast(is_ads as boolean) as is_ads,
        cast(region as varchar) as region,
        {{ required_column('creator_posts', 'raw_json', 'varchar') }} as raw_json,
        filename as landing_file
    from source
)

select * from renamed
