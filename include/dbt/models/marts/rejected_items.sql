{{ config(replace_dates='snapshot') }}
{#
    Grain: load x request x rejected item (load_id, request_seq, item_position). Every API item that
    failed validation on the date, from every load, with the reason, the request it came from and
    its raw JSON, so an analyst sees what was left out and why. item_position numbers a request's
    rejected items 1, 2, ... (by item_id, item_key, reason, raw_json).
    A load writes a request's rejected items in one file; the same rows read from a second file (a
    merged file beside the small ones a crashed compaction had not yet removed) are left out.
    replace_dates is `snapshot`: a day's rows depend on that day's landing only.
-#}
with rejected as (
    select *
    from {{ ref('stg_landing__rejected') }}
    qualify dense_rank() over (
        partition by snapshot_date, load_id, request_seq order by landing_file
    ) = 1
)

select
    snapshot_date,
    load_id,
    request_seq,
    row_number() over (
        partition by snapshot_date, load_id, request_seq
        order by item_id, item_key, reason, raw_json
    ) as item_position,
    dataset,
    endpoint,
    item_key,
    item_id,
    reason,
    raw_json,
    run_id,
    captured_at
from rejected
