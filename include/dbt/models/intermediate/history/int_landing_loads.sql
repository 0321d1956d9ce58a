-- What each build found in the landing zone. Grain: dataset x snapshot date (a dataset without a
-- partition that day is recorded with 0 rows). Rows and files as landed, every load's (before any
-- capture is picked). Feeds source_freshness.
{%- set datasets = [
    ('profiles', 'stg_landing__profiles'),
    ('creator_posts', 'stg_landing__creator_posts'),
    ('search_results', 'stg_landing__search_results'),
    ('hashtags', 'stg_landing__hashtags'),
    ('request_ledger', 'stg_landing__requests'),
    ('rejected', 'stg_landing__rejected'),
    ('loads', 'stg_landing__loads'),
    ('comments', 'stg_landing__comments'),
    ('comment_scores', 'stg_landing__comment_scores'),
] %}

with loaded_dates as (
    {{ loaded_dates_sql() }}
),

counts as (
{% for dataset, model in datasets %}
    select
        '{{ dataset }}' as dataset,
        snapshot_date,
        count(*) as rows_loaded,
        count(distinct landing_file) as files_loaded
    from {{ ref(model) }}
    group by snapshot_date
    {% if not loop.last %}union all{% endif %}
{% endfor %}
),

datasets as (
    select * from (values
    {%- for dataset, model in datasets %}
        ('{{ dataset }}'){{ "," if not loop.last }}
    {%- endfor %}
    ) as datasets (dataset)
)

select
    datasets.dataset,
    loaded_dates.snapshot_date,
    coalesce(counts.rows_loaded, 0) as rows_loaded,
    coalesce(counts.files_loaded, 0) as files_loaded
from datasets
cross join loaded_dates
left join counts
    on counts.dataset = datasets.dataset
    and counts.snapshot_date = loaded_dates.snapshot_date
