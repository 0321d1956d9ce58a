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
        {{ video_columns('creator_posts') }},
        {{ lineage_columns() }}
    from source
)

select * from renamed
