-- One row per account a roster creator follows, as a user/followings page listed it on the build's
-- snapshot date (landing followings). Landing zones older than the creator graph have no
-- partition: an empty, typed view.
with source as (
    {{ read_landing_partition(source('landing', 'followings')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('followings') }} as snapshot_date,
        {{ required_column('followings', 'creator_username', 'varchar') }} as creator_username,
        {{ required_column('followings', 'creator_sec_uid', 'varchar') }} as creator_sec_uid,
        {{ required_column('followings', 'page', 'integer') }} as page,
        {{ required_column('followings', 'position', 'integer') }} as position,
        {{ required_column('followings', 'followed_unique_id', 'varchar') }} as followed_unique_id,
        cast(followed_sec_uid as varchar) as followed_sec_uid,
        cast(followed_nickname as varchar) as followed_nickname,
        cast(followed_follower_count as bigint) as followed_follower_count,
        {{ required_column('followings', 'raw_json', 'varchar') }} as raw_json,
        filename as landing_file,
        {{ lineage_columns() }}
    from source
)

select * from renamed
