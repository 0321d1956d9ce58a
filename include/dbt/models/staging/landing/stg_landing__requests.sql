-- One row per API request attempt of the build's snapshot date (landing request_ledger).
with source as (
    {{ read_landing_partition(source('landing', 'request_ledger')) }}
),

renamed as (
    select
        {{ partition_snapshot_date('request_ledger') }} as snapshot_date,
        {{ required_column('request_ledger', 'run_id', 'varchar') }} as run_id,
        {{ required_column('request_ledger', 'request_seq', 'bigint') }} as request_seq,
        {{ required_column('request_ledger', 'endpoint', 'varchar') }} as endpoint,
        {{ required_column('request_ledger', 'params_json', 'varchar') }} as params_json,
        cast(item_key as varchar) as item_key,
        {{ required_column('request_ledger', 'attempt', 'integer') }} as attempt,
        cast(status as integer) as http_status,
        cast(error_class as varchar) as error_class,
        cast(error_message as varchar) as error_message,
        cast(credits_used as integer) as credits_used,
        cast(credits_remaining as bigint) as credits_remaining,
        {{ required_column('request_ledger', 'latency_ms', 'double') }} as latency_ms,
        {{ required_column('request_ledger', 'started_at', 'timestamp with time zone') }} as started_at,
        {{ required_column('request_ledger', 'suspect_empty', 'boolean') }} as is_suspect_empty,
        filename as landing_file
    from source
)

select * from renamed
