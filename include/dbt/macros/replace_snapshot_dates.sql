{#-
    Incremental strategy `replace_snapshot_dates`: delete whole snapshot dates, insert the model's
    rows for them. Which dates is the model's `replace_dates` config:
      - `snapshot`: the build's loaded date(s) (history tables fed from the day's landing partition);
      - `rebuild`: every date listed in int_rebuild_dates, i.e. the snapshot date plus the later,
        already-loaded dates whose columns depend on it (see int_rebuild_dates.sql);
      - `signals`: every date listed in int_signal_rebuild_dates, i.e. the `rebuild` dates plus the
        dates whose comment and content signals look back at the loaded dates (days to months:
        see int_signal_rebuild_dates.sql). Only the marts built on those signals use it, so the
        other marts of a backfill recompute no more dates than before.
    Deleting by date rather than by key is what makes a re-run replace a day exactly: a row that
    disappeared from the day's data disappears from the table too.
    Models using `rebuild` must declare `-- depends_on: {{ ref('int_rebuild_dates') }}`, models
    using `signals` `-- depends_on: {{ ref('int_signal_rebuild_dates') }}`.
-#}
{% macro replaced_snapshot_dates_sql() -%}
    {%- set scope = config.get('replace_dates', 'snapshot') -%}
    {%- if scope == 'snapshot' -%}
        {{ loaded_dates_sql() }}
    {%- elif scope == 'rebuild' -%}
        select snapshot_date from {{ ref('int_rebuild_dates') }}
    {%- elif scope == 'signals' -%}
        select snapshot_date from {{ ref('int_signal_rebuild_dates') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("replace_dates must be 'snapshot', 'rebuild' or 'signals', got '" ~ scope ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{% macro get_incremental_replace_snapshot_dates_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where snapshot_date in ({{ replaced_snapshot_dates_sql() }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }};
{%- endmacro %}

{#- In a model: restrict to the dates this build replaces (everything on a first or full build). -#}
{% macro in_replaced_dates(column='snapshot_date') -%}
    {%- if is_incremental() -%}
        {{ column }} in ({{ replaced_snapshot_dates_sql() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
