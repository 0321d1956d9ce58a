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
        filename as landing_file,
        coalesce(cast(load_id as varchar), 'legacy:' || filename) as load_id,
        coalesce(cast(run_attempt as integer), 1) as run_attempt,
        -- A legacy ledger row has no captured_at: its answer arrived latency_ms after started_at.
        coalesce(
            cast(captured_at as timestamp with time zone),
            cast(started_at as timestamp with time zone)
                + to_microseconds(cast(round(cast(latency_ms as double) * 1000) as bigint))
        ) as captured_at
    from source
)

select * from renamed
