-- One row per load (extraction attempt) that finished on the build's snapshot date (landing loads).
with source as (
    {{ read_landing_partition(source('landing', 'loads')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('loads') }} as snapshot_date,
        {{ required_column('loads', 'load_id', 'varchar') }} as load_id,
        {{ required_column('loads', 'run_id', 'varchar') }} as run_id,
        {{ required_column('loads', 'run_attempt', 'integer') }} as run_attempt,
        {{ required_column('loads', 'kind', 'varchar') }} as kind,
        {{ required_column('loads', 'part', 'varchar') }} as part,
        {{ required_column('loads', 'started_at', 'timestamp with time zone') }} as started_at,
        {{ required_column('loads', 'finished_at', 'timestamp with time zone') }} as finished_at,
        {{ required_column('loads', 'outcome', 'varchar') }} as outcome,
        cast(stop_reason as varchar) as stop_reason,
        {{ required_column('loads', 'fresh_capture', 'boolean') }} as is_fresh_capture,
        cast(api_date as varchar) as api_date,
        {{ required_column('loads', 'requests', 'bigint') }} as requests,
        {{ required_column('loads', 'credits_used', 'bigint') }} as credits_used,
        {{ required_column('loads', 'rows_landed', 'bigint') }} as rows_landed,
        {{ required_column('loads', 'rows_rejected', 'bigint') }} as rows_rejected,
        {{ required_column('loads', 'items_done', 'varchar[]') }} as items_done,
        {{ required_column('loads', 'items_failed', 'varchar[]') }} as items_failed,
        {{ required_column('loads', 'items_not_fetched', 'varchar[]') }} as items_not_fetched,
        filename as landing_file
    from source
)

select * from renamed
