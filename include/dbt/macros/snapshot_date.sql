{#
    The snapshot date(s) a build loads:
        --vars '{snapshot_date: "YYYY-MM-DD"}'                                  one day (the daily case)
        --vars '{snapshot_date: "YYYY-MM-DD", snapshot_end_date: "YYYY-MM-DD"}' every day of a range
    (an initial or bulk backfill in one run). Without the vars, the environment variables
    TIKTOK_SNAPSHOT_DATE / TIKTOK_SNAPSHOT_END_DATE are read, at execution only: changing --vars
    forces dbt to re-parse the whole project, while an environment variable that parsing never
    read does not (tiktok_engagement.warehouse.build() uses them; a few seconds per build).
    Every run or build needs a date; parsing (dbt parse / ls, Cosmos rendering a DAG) does not, so
    outside execution a placeholder is returned.
-#}
{% macro _date_setting(var_name, env_name) -%}
    {%- set value = var(var_name, none) -%}
    {%- if (value is none or (value | string | trim) == '') and execute -%}
        {%- set value = env_var(env_name, '') -%}
    {%- endif -%}
    {{- return(none if value is none or (value | string | trim) == '' else value) -}}
{%- endmacro %}

{% macro _checked_date_var(name, value) -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.fullmatch('\d{4}-\d{2}-\d{2}', text) -%}
        {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {{- return(text) -}}
{%- endmacro %}

{% macro snapshot_date_string() -%}
    {%- set value = _date_setting('snapshot_date', 'TIKTOK_SNAPSHOT_DATE') -%}
    {%- if value is none -%}
        {%- if execute and flags.WHICH in ('run', 'build', 'test', 'compile', 'seed', 'snapshot') -%}
            {{ exceptions.raise_compiler_error(
                "var 'snapshot_date' is required: pass --vars '{snapshot_date: \"YYYY-MM-DD\"}'") }}
        {%- endif -%}
        {{- return('1970-01-01') -}}
    {%- endif -%}
    {{- return(_checked_date_var('snapshot_date', value)) -}}
{%- endmacro %}

{% macro snapshot_end_date_string() -%}
    {%- set value = _date_setting('snapshot_end_date', 'TIKTOK_SNAPSHOT_END_DATE') -%}
    {%- if value is none -%}
        {{- return(snapshot_date_string()) -}}
    {%- endif -%}
    {%- set text = _checked_date_var('snapshot_end_date', value) -%}
    {%- if text < snapshot_date_string() -%}
        {{ exceptions.raise_compiler_error("snapshot_end_date " ~ text ~ " is before snapshot_date " ~ snapshot_date_string()) }}
    {%- endif -%}
    {{- return(text) -}}
{%- endmacro %}

{#- The first (or only) date loaded. -#}
{% macro snapshot_date_literal() -%}
    date '{{ snapshot_date_string() }}'
{%- endmacro %}

{#- The last date loaded (= snapshot_date unless a range was given). -#}
{% macro snapshot_end_date_literal() -%}
    date '{{ snapshot_end_date_string() }}'
{%- endmacro %}

{#- True for the dates this build loads. -#}
{% macro is_loaded_date(column='snapshot_date') -%}
    {{ column }} between {{ snapshot_date_literal() }} and {{ snapshot_end_date_literal() }}
{%- endmacro %}

{#- One row per loaded date, column snapshot_date. -#}
{% macro loaded_dates_sql() -%}
    select cast(day as date) as snapshot_date
    from generate_series({{ snapshot_date_literal() }}, {{ snapshot_end_date_literal() }}, interval 1 day) as days(day)
{%- endmacro %}

{#- USD per API credit: var price_per_credit, else $TIKTOK_PRICE_PER_CREDIT (at execution), else 0.005. -#}
{% macro price_per_credit() -%}
    {%- set value = var('price_per_credit', none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('TIKTOK_PRICE_PER_CREDIT', '0.005') -%}
    {%- endif -%}
    {{- return((value if value is not none else 0.005) | float) -}}
{%- endmacro %}
