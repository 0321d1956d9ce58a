{#-
    Picking one capture per item from an append-only landing partition.

    A snapshot date's partition holds every load's capture of an item (re-runs, retries, subset
    runs, a fresh capture later the same day). The history models keep exactly one:
    the load whose capture of the item arrived last (its rows' max captured_at), ties broken by the
    larger load_id (load ids are time-ordered). Rows of the same load that appear twice (a
    compaction interrupted between writing the merged file and removing the small ones) stay
    duplicates here; each model's own deduplication to its grain removes them.

    latest_capture_rows(ref('stg_landing__creator_posts'), ['creator_username']) selects the
    relation's rows of each (snapshot_date, creator_username)'s latest load: a whole capture, never
    a union of captures, so a feed or a query's results are exactly what one request returned.

    Built as an anti join with the superseded (item, load) pairs rather than a window over every
    row: the aggregate reads four columns, the losers are usually none, and the rows themselves are
    never sorted, so a date landed once costs what it did before picking existed. The relation is
    referenced twice on purpose (not through one CTE, which DuckDB may materialize whole).
-#}
{% macro latest_capture_rows(relation, item_columns) -%}
    {%- set keys = ['snapshot_date'] + item_columns -%}
    with load_captures as (
        select {{ keys | join(', ') }}, load_id, max(captured_at) as captured_at
        from {{ relation }}
        group by {{ keys | join(', ') }}, load_id
    ),

    superseded_captures as (
        select *
        from load_captures
        qualify row_number() over (
            partition by {{ keys | join(', ') }} order by captured_at desc, load_id desc
        ) > 1
    )

    select captured.*
    from {{ relation }} as captured
    anti join superseded_captures as superseded
        on captured.load_id = superseded.load_id
        {%- for key in keys %}
        and captured.{{ key }} = superseded.{{ key }}
        {%- endfor %}
{%- endmacro %}

{#- The order that makes the latest capture of a row-level grain come first (profiles, hashtags). -#}
{% macro latest_capture_order() -%}
    captured_at desc, load_id desc, landing_file desc
{%- endmacro %}

{#- The request ledger of the loaded date(s), one row per attempt: every run, attempt and subset
    run counts (the ledger is append-only), and an attempt read twice (the same rows in a merged
    file and in the small files a crashed compaction had not yet removed) counts once. The key is
    (load_id, request_seq, attempt); a legacy row's load_id names its file, so legacy rows are
    matched on run_id, request_seq, attempt and started_at instead. -#}
{% macro distinct_ledger_attempts() -%}
    select *
    from {{ ref('stg_landing__requests') }}
    qualify row_number() over (
        partition by
            snapshot_date,
            case when load_id like 'legacy:%' then 'legacy' else load_id end,
            run_id,
            request_seq,
            attempt,
            case when load_id like 'legacy:%' then started_at end
        order by landing_file
    ) = 1
{%- endmacro %}

{#- The first `rows` rows of each `grain` in `relation` (a CTE name) by `order_by`: what
    `qualify row_number() over (partition by <grain> order by <order_by>) <= rows` returns,
    without the window over every row. A window sorts every column of every row (the feeds'
    captions and hashtag lists too; at 10M rows it spilled 5 GB and was three quarters of the
    model's time), although almost every grain holds no more than `rows` rows (one capture of a
    video a day; a feed of at most the posts asked for). So: count rows per grain (a hash aggregate
    over the grain's columns); the rows of grains holding at most `rows` are kept as they are, and
    only the rows of the larger grains go through the window. Rows can be identical in every
    column (a capture read twice from one file), so the larger grains are ranked, never matched
    back.

    The CTE must be `not materialized`: it is read three times, and DuckDB would otherwise write
    it whole to memory (spilling) before reading it back. -#}
{% macro first_rows_per(relation, grain, order_by, rows) -%}
    {%- set grain_list = grain | join(', ') -%}
    with larger_grains as (
        select {{ grain_list }}
        from {{ relation }}
        group by {{ grain_list }}
        having count(*) > {{ rows }}
    )

    select kept.*
    from {{ relation }} as kept
    anti join larger_grains as larger
        on {% for column in grain %}{% if not loop.first %} and {% endif %}kept.{{ column }} is not distinct from larger.{{ column }}{% endfor %}

    union all

    select ranked.*
    from {{ relation }} as ranked
    semi join larger_grains as larger
        on {% for column in grain %}{% if not loop.first %} and {% endif %}ranked.{{ column }} is not distinct from larger.{{ column }}{% endfor %}
    qualify row_number() over (partition by {% for column in grain %}ranked.{{ column }}{{ ", " if not loop.last }}{% endfor %} order by {{ order_by }}) <= {{ rows }}
{%- endmacro %}

{#- The first row of each `grain` by `order_by` (first_rows_per with one row). -#}
{% macro first_row_per(relation, grain, order_by) -%}
    {{- first_rows_per(relation, grain, order_by, 1) -}}
{%- endmacro %}
