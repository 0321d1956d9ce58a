{{ config(replace_dates='snapshot') }}
{#
    Grain: snapshot date x run (run_id: an Airflow DAG run or a CLI run). Spend and outcome per run,
    over every load (extraction attempt: each task try, each mapped batch) of the run for the date.
    requests, retries and credits come from the request ledger (so they sum to api_usage); loads,
    rows and the outcome from the `loads` rows the loads wrote when they finished. A load with
    ledger rows and no `loads` row was killed: the run is `unfinished`. Otherwise the run is
    `complete` when every load was, else its worst load outcome (failed > stopped > incomplete).
    Ledger rows landed before loads were recorded form loads of their own with outcome `legacy`,
    which only a run with nothing else reports.
    replace_dates is `snapshot`: a day's runs depend on that day's ledger and loads only.
-#}
with requests as (
    {{ distinct_ledger_attempts() }}
),

finished_loads as (
    select *
    from {{ ref('stg_landing__loads') }}
    -- the same row in a merged file and in the small file a crashed compaction left counts once
    qualify row_number() over (partition by snapshot_date, load_id order by landing_file) = 1
),

ledger_loads as (
    select
        snapshot_date,
        load_id,
        min(run_id) as run_id,
        min(run_attempt) as run_attempt,
        count(*) as requests,
        count(*) filter (where attempt > 1) as retries,
        coalesce(sum(credits_used), 0) as credits_used,
        min(started_at) as first_request_at,
        max(captured_at) as last_answer_at
    from requests
    group by snapshot_date, load_id
),

per_load as (
    select
        coalesce(finished_loads.snapshot_date, ledger_loads.snapshot_date) as snapshot_date,
        coalesce(finished_loads.run_id, ledger_loads.run_id) as run_id,
        coalesce(finished_loads.run_attempt, ledger_loads.run_attempt) as run_attempt,
        coalesce(ledger_loads.requests, 0) as requests,
        coalesce(ledger_loads.retries, 0) as retries,
        coalesce(ledger_loads.credits_used, 0) as credits_used,
        coalesce(ledger_loads.first_request_at, finished_loads.started_at) as started_at,
        greatest(finished_loads.finished_at, ledger_loads.last_answer_at) as finished_at,
        coalesce(finished_loads.rows_landed, 0) as rows_landed,
        coalesce(finished_loads.rows_rejected, 0) as rows_rejected,
        case
            when finished_loads.load_id is not null then finished_loads.outcome
            when ledger_loads.load_id like 'legacy:%' then 'legacy'
            else 'unfinished'
        end as outcome
    from finished_loads
    full outer join ledger_loads
        on ledger_loads.snapshot_date = finished_loads.snapshot_date
        and ledger_loads.load_id = finished_loads.load_id
)

select
    snapshot_date,
    run_id,
    min(started_at) as started_at,
    max(finished_at) as finished_at,
    count(*) as loads,
    count(distinct run_attempt) as run_attempts,
    cast(sum(requests) as bigint) as requests,
    cast(sum(retries) as bigint) as retries,
    cast(sum(credits_used) as bigint) as credits_used,
    cast(sum(credits_used) * {{ price_per_credit() }} as double) as cost_usd,
    cast(sum(rows_landed) as bigint) as rows_landed,
    cast(sum(rows_rejected) as bigint) as rows_rejected,
    -- The worst load decides; an outcome this model does not know outranks them all, so the
    -- accepted_values test reports it instead of hiding it.
    arg_max(
        outcome,
        case outcome
            when 'legacy' then 1
            when 'complete' then 2
            when 'incomplete' then 3
            when 'stopped' then 4
            when 'failed' then 5
            when 'unfinished' then 6
            else 7
        end
    ) as outcome
from per_load
group by snapshot_date, run_id
