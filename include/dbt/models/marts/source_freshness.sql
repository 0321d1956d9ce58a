{{ config(materialized='table') }}
{#
    Grain: landing dataset. The latest snapshot date loaded per dataset, and how far behind the
    warehouse's newest loaded day (as_of_date) it is. Deterministic: measured against the data,
    not the clock (tiktok_engagement.warehouse.freshness() measures against a given day).
    A dataset is stale when days_behind >= its expected cadence (profiles are refreshed weekly).
    `rejected` is not listed: it has no cadence (a day without rejected items is the good case);
    int_landing_loads counts it per day and marts.rejected_items shows its rows.
-#}
with expected as (
    select * from (values
        ('profiles', 7),
        ('creator_posts', 1),
        ('search_results', 1),
        ('hashtags', 1),
        ('request_ledger', 1),
        ('loads', 1)
    ) as expected (dataset, expected_cadence_days)
),

loads as (
    select * from {{ ref('int_landing_loads') }}
),

per_dataset as (
    select
        dataset,
        min(snapshot_date) filter (where rows_loaded > 0) as first_snapshot_date,
        max(snapshot_date) filter (where rows_loaded > 0) as latest_snapshot_date,
        count(*) filter (where rows_loaded > 0) as snapshot_dates_loaded,
        sum(rows_loaded) as rows_loaded,
        sum(files_loaded) as files_loaded,
        max(snapshot_date) as latest_build_date
    from loads
    group by dataset
),

as_of as (
    select max(snapshot_date) as as_of_date from loads where rows_loaded > 0
)

select
    expected.dataset,
    per_dataset.first_snapshot_date,
    per_dataset.latest_snapshot_date,
    coalesce(per_dataset.snapshot_dates_loaded, 0) as snapshot_dates_loaded,
    coalesce(per_dataset.rows_loaded, 0) as rows_loaded,
    coalesce(per_dataset.files_loaded, 0) as files_loaded,
    as_of.as_of_date,
    as_of.as_of_date - per_dataset.latest_snapshot_date as days_behind,
    expected.expected_cadence_days,
    coalesce(as_of.as_of_date - per_dataset.latest_snapshot_date >= expected.expected_cadence_days, true)
        as is_stale
from expected
cross join as_of
left join per_dataset using (dataset)
