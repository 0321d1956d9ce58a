{#
    The snapshot date(s) a build loads come from the environment, one way for every caller:
        TIKTOK_SNAPSHOT_DATE=YYYY-MM-DD                                    one day (the daily case)
        TIKTOK_SNAPSHOT_DATE=YYYY-MM-DD TIKTOK_SNAPSHOT_END_DATE=YYYY-MM-DD every day of a range
    (an initial or bulk backfill in one run). tiktok_engagement.warehouse.dbt_runner.dbt_environment()
    sets them; by hand: `python -m tiktok_engagement.warehouse dbt --date D [--through E] -- build`.
    They are read at execution only, so dbt's partial parsing survives from one date to the next
    (a changed --vars would re-parse the whole project). Every run or build needs a date; parsing
    (dbt parse / ls) does not, so outside execution a placeholder is returned.
-#}
{% macro _date_setting(env_name) -%}
    {%- set value = env_var(env_name, '') if execute else '' -%}
    {{- return(none if (value | string | trim) == '' else value) -}}
{%- endmacro %}

{% macro _checked_date_var(name, value) -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.fullmatch('\d{4}-\d{2}-\d{2}', text) -%}
        {{ exceptions.raise_compiler_error(name ~ " must be YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {{- return(text) -}}
{%- endmacro %}

{% macro snapshot_date_string() -%}
    {%- set value = _date_setting('TIKTOK_SNAPSHOT_DATE') -%}
    {%- if value is none -%}
        {%- if execute and flags.WHICH in ('run', 'build', 'test', 'compile', 'seed', 'snapshot') -%}
            {{ exceptions.raise_compiler_error(
                "TIKTOK_SNAPSHOT_DATE is required: run dbt through "
                ~ "`python -m tiktok_engagement.warehouse dbt --date YYYY-MM-DD -- <dbt arguments>`") }}
        {%- endif -%}
        {{- return('1970-01-01') -}}
    {%- endif -%}
    {{- return(_checked_date_var('TIKTOK_SNAPSHOT_DATE', value)) -}}
{%- endmacro %}

{% macro snapshot_end_date_string() -%}
    {%- set value = _date_setting('TIKTOK_SNAPSHOT_END_DATE') -%}
    {%- if value is none -%}
        {{- return(snapshot_date_string()) -}}
    {%- endif -%}
    {%- set text = _checked_date_var('TIKTOK_SNAPSHOT_END_DATE', value) -%}
    {%- if text < snapshot_date_string() -%}
        {{ exceptions.raise_compiler_error("TIKTOK_SNAPSHOT_END_DATE " ~ text ~ " is before TIKTOK_SNAPSHOT_DATE " ~ snapshot_date_string()) }}
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

{#- USD per API credit: SCAVIO_PRICE_PER_CREDIT, which dbt_environment() always sets from the
    storage settings (the one default is in tiktok_engagement.config). Read at execution only. -#}
{% macro price_per_credit() -%}
    {%- if not execute -%}
        {{- return(0.0) -}}
    {%- endif -%}
    {{- return(env_var('SCAVIO_PRICE_PER_CREDIT') | float) -}}
{%- endmacro %}
