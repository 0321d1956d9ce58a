{#- median(expression) over a group's rows where `filter` holds, the same value median() gives
    (NULLs left out, the mean of the two middle values for an even count, NULL without values), but
    through list(): median() keeps a holistic state per group that spills to disk past the memory
    cap at hundreds of thousands of groups (a creator x date grain over a year), where list()'s
    state stays small. -#}
{% macro group_median(expression, filter=none) -%}
    list_median(list({{ expression }}){% if filter %} filter (where {{ filter }}){% endif %})
{%- endmacro %}
