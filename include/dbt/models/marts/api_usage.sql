{{ config(replace_dates='snapshot') }}
{#
    Grain: snapshot date x endpoint, from the day's request ledger (one row per attempt), summed
    over every run, attempt and subset run of the date: what the API billed for it. An attempt
    read twice (an interrupted compaction) counts once (macros/picking.sql).
    A failed request is an attempt with an error class, no HTTP status, or a status >= 400.
    cost_usd = credits_used x price_per_credit() ($SCAVIO_PRICE_PER_CREDIT, default 0.005) at build time.
    replace_dates is `snapshot`: a day's usage depends on that day's ledger only.
-#}
with requests as (
    {{ distinct_ledger_attempts() }}
)

select
    snapshot_date,
    endpoint,
    count(*) as requests,
    count(*) filter (where attempt = 1) as first_attempts,
    count(*) filter (
        where error_class is not null or http_status is null or http_status >= 400
    ) as failed_requests,
    count(*) filter (where attempt > 1) as retries,
    coalesce(sum(credits_used), 0) as credits_used,
    cast(coalesce(sum(credits_used), 0) * {{ price_per_credit() }} as double) as cost_usd,
    count(*) filter (where is_suspect_empty) as suspect_empty_responses,
    avg(latency_ms) as avg_latency_ms,
    max(latency_ms) as max_latency_ms
from requests
group by snapshot_date, endpoint
