{#
    Data tests on incremental, date-keyed models check only the snapshot dates this build replaced.

    Those are the only rows a build changes: the other dates were tested by the build that wrote
    them. Without this, every daily build would re-scan the whole history (tens of millions of
    video snapshots after a year) and the cost of a day would grow with the history.
      - replace_dates `snapshot` (history tables): the loaded date(s);
      - replace_dates `rebuild` (engagement tables, marts): the dates in int_rebuild_dates;
      - replace_dates `signals` (the comment and content-signal marts, creator_scorecard): the
        dates in int_signal_rebuild_dates;
      - tables rebuilt whole (dim_creators, source_freshness, ...): every row, as before.
    Full-table tests come back with TIKTOK_FULL_TESTS=1 (at execution; set by the library).
    tiktok_engagement.warehouse.build() sets it by itself when the previous build did not publish
    (failed or interrupted), so rows a failed build left behind are tested again.

    dbt renders every generic test's `model` through get_where_subquery (which also applies a
    test's `where` config); this project's version adds the date scope. The dispatch config in
    dbt_project.yml makes dbt use it.
-#}
{% macro full_tests_requested() -%}
    {%- set value = env_var('TIKTOK_FULL_TESTS', '') -%}
    {{- return((value | string | lower | trim) in ('1', 'true', 'yes')) -}}
{%- endmacro %}

{% macro _model_node_for(relation) -%}
    {%- set found = namespace(node=none) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.alias == relation.identifier and node.schema == relation.schema -%}
            {%- set found.node = node -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(found.node) -}}
{%- endmacro %}

{% macro test_date_scope(relation) -%}
    {%- if not execute or full_tests_requested() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set node = _model_node_for(relation) -%}
    {%- if node is none or node.config.materialized != 'incremental' -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set scope = node.config.get('replace_dates') -%}
    {%- if scope == 'snapshot' -%}
        {{- return(is_loaded_date()) -}}
    {%- elif scope in ('rebuild', 'signals') -%}
        {%- set dates_model = 'int_rebuild_dates' if scope == 'rebuild' else 'int_signal_rebuild_dates' -%}
        {%- set rebuild = _model_node_for(api.Relation.create(schema='intermediate', identifier=dates_model)) -%}
        {%- set rebuild_relation = api.Relation.create(database=rebuild.database, schema=rebuild.schema, identifier=rebuild.alias) -%}
        {{- return('snapshot_date in (select snapshot_date from ' ~ rebuild_relation ~ ')') -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set scope = test_date_scope(relation) -%}
    {%- if scope -%}
        {%- do conditions.append(scope) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{- return(filtered) -}}
    {%- else -%}
        {{- return(relation) -}}
    {%- endif -%}
{%- endmacro %}
