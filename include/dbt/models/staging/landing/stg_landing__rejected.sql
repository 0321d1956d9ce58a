-- One row per API item rejected by validation on the build's snapshot date (landing rejected).
with source as (
    {{ read_landing_partition(source('landing', 'rejected')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('rejected') }} as snapshot_date,
        {{ required_column('rejected', 'dataset', 'varchar') }} as dataset,
        {{ required_column('rejected', 'endpoint', 'varchar') }} as endpoint,
        cast(item_key as varchar) as item_key,
        cast(item_id as varchar) as item_id,
        {{ required_column('rejected', 'reason', 'varchar') }} as reason,
        {{ required_column('rejected', 'raw_json', 'varchar') }} as raw_json,
        filename as landing_file,
        {{ lineage_columns() }}
    from source
)

select * from renamed
