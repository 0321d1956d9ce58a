-- One row per creator profile fetched on the build's snapshot date (landing profiles; weekly).
with source as (
    {{ read_landing_partition(source('landing', 'profiles')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('profiles') }} as snapshot_date,
        {{ required_column('profiles', 'creator_username', 'varchar') }} as creator_username,
        cast(niche as varchar) as niche,
        {{ required_column('profiles', 'unique_id', 'varchar') }} as unique_id,
        {{ required_column('profiles', 'sec_uid', 'varchar') }} as sec_uid,
        cast(uid as varchar) as uid,
        cast(nickname as varchar) as nickname,
        cast(signature as varchar) as signature,
        cast(bio_url as varchar) as bio_url,
        {{ required_column('profiles', 'follower_count', 'bigint') }} as follower_count,
        cast(following_count as bigint) as following_count,
        cast(aweme_count as bigint) as aweme_count,
        cast(total_favorited as bigint) as total_favorited,
        cast(verification_type as integer) as verification_type,
        {{ required_column('profiles', 'is_verified', 'boolean') }} as is_verified,
        {{ required_column('profiles', 'raw_json', 'varchar') }} as raw_json,
        filename as landing_file,
        {{ lineage_columns() }}
    from source
)

select * from renamed
