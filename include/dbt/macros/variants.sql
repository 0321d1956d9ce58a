{#- Work that depends only on a video's caption and what travels with it (author, hashtags, the
    ad flag) is done once per caption variant, not once per snapshot: a caption rarely changes
    between a video's daily snapshots. `columns` is a list of (alias, expression) pairs.
    caption_key: a 64-bit hash of the expressions, compared within one video only; the variants
    and the snapshots joined back to them must hash the same pairs, so both take them from here. -#}
{% macro caption_key(columns) -%}
    hash({% for alias, expression in columns %}{{ expression }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{#- One row per video and caption variant of `relation` (rows where `where` holds): video_id,
    caption_key and each of `columns` under its alias. -#}
{% macro caption_variants(relation, columns, where='true') -%}
    select
        video_id,
        {{ caption_key(columns) }} as caption_key,
        {%- for alias, expression in columns %}
        any_value({{ expression }}) as {{ alias }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    where {{ where }}
    group by all
{%- endmacro %}
