{#-
    Engagement arithmetic shared by the marts. Thresholds are the seed's
    (shared/seed-tiktok-engagement-api-metrics.txt): like/view healthy 3-8 %, below 2 % not
    resonating, above 10 % highly engaged; comment/view healthy 0.1-0.5 %; share/view above 1 %
    signals viral potential. Ratios are fractions (0.05 = 5 %).
-#}

{#- numerator / views; NULL when there are no views (never 0, never an error, never infinite). -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}

{% macro like_view_band(ratio) -%}
    case
        when {{ ratio }} is null then null
        when {{ ratio }} < 0.02 then 'not_resonating'
        when {{ ratio }} < 0.03 then 'below_healthy'
        when {{ ratio }} <= 0.08 then 'healthy'
        when {{ ratio }} <= 0.10 then 'strong'
        else 'highly_engaged'
    end
{%- endmacro %}

{% macro comment_view_band(ratio) -%}
    case
        when {{ ratio }} is null then null
        when {{ ratio }} < 0.001 then 'low'
        when {{ ratio }} <= 0.005 then 'healthy'
        else 'discussion_heavy'
    end
{%- endmacro %}

{% macro follower_tier(follower_count) -%}
    case
        when {{ follower_count }} is null then null
        when {{ follower_count }} < 10000 then 'nano'
        when {{ follower_count }} < 100000 then 'micro'
        when {{ follower_count }} < 500000 then 'mid'
        when {{ follower_count }} < 1000000 then 'macro'
        else 'mega'
    end
{%- endmacro %}

{%- macro follower_tiers() -%}
    {{ return(['nano', 'micro', 'mid', 'macro', 'mega']) }}
{%- endmacro -%}

{#- The seed's healthy ranges, as columns beside the benchmarks. -#}
{% macro healthy_range_columns() -%}
    cast(0.03 as double) as healthy_like_view_ratio_low,
    cast(0.08 as double) as healthy_like_view_ratio_high,
    cast(0.001 as double) as healthy_comment_view_ratio_low,
    cast(0.005 as double) as healthy_comment_view_ratio_high,
    cast(0.01 as double) as viral_share_view_ratio_threshold
{%- endmacro %}

{#-
    One vetting component: a creator's ratio against the niche benchmark, mapped to 0..1 as
    ratio / (ratio + benchmark). At the benchmark it is 0.5, at twice the benchmark 0.667, at
    half 0.333; it only grows with the ratio and never reaches 1. A niche benchmark of 0 with a
    ratio of 0 counts as "at the benchmark" (0.5). NULL when the creator has no ratio.
-#}
{% macro vetting_component(ratio, benchmark) -%}
    case
        when {{ ratio }} is null then null
        when coalesce({{ ratio }}, 0) + coalesce({{ benchmark }}, 0) = 0 then 0.5
        else {{ ratio }} / ({{ ratio }} + coalesce({{ benchmark }}, 0))
    end
{%- endmacro %}

{#- How far (days) the comment and content signals look back: 90 days of profiles and outliers,
    and a week of slack for the profile interval and the outlier window before a spike. -#}
{% macro signal_lookback_days() -%}
    97
{%- endmacro %}
