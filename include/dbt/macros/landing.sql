{#-
    Reading the landing zone: one day's partition of one dataset.

    read_landing_partition(source('landing', 'creator_posts')) selects every column of the
    partitions `<root>/<dataset>/snapshot_date=<date>/*.parquet` of the loaded date(s) (the files
    are listed when the model runs; a build reads its day, never the whole history):
      - union_by_name: files with extra columns (a new field) or different column order still load;
      - filename: each row carries its file, so an error can name it;
      - hive_partitioning off: snapshot_date comes from the file, and is checked against the path;
      - UNION ALL BY NAME with a typed empty row set: every declared column exists even when no file
        has it (so the NULL check, not a binder error, reports it), and a day without any file
        (profiles are weekly) gives an empty, typed relation instead of "No files found".
    The declared columns and their types are the source's YAML columns.
-#}
{% macro landing_dataset_glob(source_relation) -%}
    {{- return(source_relation.external | replace("'", "")) -}}
{%- endmacro %}

{#- The dataset's files in the loaded partitions, found when the model runs. -#}
{% macro landing_partition_files(source_relation) -%}
    {%- set pattern = landing_dataset_glob(source_relation) -%}
    {%- if snapshot_date_string() == snapshot_end_date_string() -%}
        {#- One day (the daily case): list that partition only. -#}
        {%- set pattern = pattern.replace('snapshot_date=*', 'snapshot_date=' ~ snapshot_date_string()) -%}
    {%- endif -%}
    {%- set query -%}
        select file
        from glob({{ "'" ~ pattern.replace("'", "''") ~ "'" }})
        where try_cast(regexp_extract(file, 'snapshot_date=(\d{4}-\d{2}-\d{2})', 1) as date)
            between {{ snapshot_date_literal() }} and {{ snapshot_end_date_literal() }}
        order by file
    {%- endset -%}
    {{- return(run_query(query).columns[0].values() | list) -}}
{%- endmacro %}

{% macro landing_source_columns(source_relation) -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.landing.' ~ source_relation.identifier) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error('no landing source named ' ~ source_relation.identifier) }}
    {%- endif -%}
    {{- return(node.columns.values() | list) -}}
{%- endmacro %}

{% macro read_landing_partition(source_relation) -%}
    {%- if not execute -%}
        select 1 as placeholder
    {%- else -%}
        {%- set files = landing_partition_files(source_relation) -%}
        {%- set typed_empty -%}
            select
            {%- for column in landing_source_columns(source_relation) %}
                cast(null as {{ column.data_type }}) as {{ adapter.quote(column.name) }},
            {%- endfor %}
                cast(null as varchar) as filename
            where false
        {%- endset -%}
        {%- if files | length > 0 %}
            select *
            from read_parquet(
                [{%- for file in files %}'{{ file.replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}],
                union_by_name = true, filename = true, hive_partitioning = false
            )
            union all by name
            {{ typed_empty }}
        {%- else %}
            {{ typed_empty }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- A required landing column: cast, or fail naming the dataset, the column and the file. -#}
{% macro required_column(dataset, column, data_type) -%}
    case
        when {{ column }} is null
            then error('landing {{ dataset }}: required column "{{ column }}" is missing or NULL in file ' || filename)
        else cast({{ column }} as {{ data_type }})
    end
{%- endmacro %}

{#- The file's snapshot_date: present, and equal to the partition it was read from. -#}
{% macro partition_snapshot_date(dataset) -%}
    case
        when snapshot_date is null
            then error('landing {{ dataset }}: required column "snapshot_date" is missing or NULL in file ' || filename)
        when cast(snapshot_date as date)
                <> try_cast(regexp_extract(filename, 'snapshot_date=(\d{4}-\d{2}-\d{2})', 1) as date)
            then error('landing {{ dataset }}: snapshot_date ' || cast(snapshot_date as varchar)
                || ' in file ' || filename || ' does not match its partition')
        else cast(snapshot_date as date)
    end
{%- endmacro %}

{#- The typed video columns both landing datasets carry (creator_posts, search_results), from
    video_id to raw_json, then the file each row came from. -#}
{% macro video_columns(dataset) -%}
        {{ required_column(dataset, 'video_id', 'varchar') }} as video_id,
        cast(author_unique_id as varchar) as author_unique_id,
        cast(author_nickname as varchar) as author_nickname,
        cast(author_sec_uid as varchar) as author_sec_uid,
        cast(description as varchar) as description,
        {{ required_column(dataset, 'created_at', 'timestamp with time zone') }} as created_at,
        {{ required_column(dataset, 'play_count', 'bigint') }} as play_count,
        {{ required_column(dataset, 'digg_count', 'bigint') }} as digg_count,
        {{ required_column(dataset, 'comment_count', 'bigint') }} as comment_count,
        {{ required_column(dataset, 'share_count', 'bigint') }} as share_count,
        cast(collect_count as bigint) as collect_count,
        cast(download_count as bigint) as download_count,
        cast(duration_ms as bigint) as duration_ms,
        cast(music_title as varchar) as music_title,
        cast(music_author as varchar) as music_author,
        cast(hashtags as varchar[]) as hashtags,
        cast(is_ads as boolean) as is_ads,
        cast(region as varchar) as region,
        {{ required_column(dataset, 'raw_json', 'varchar') }} as raw_json,
        filename as landing_file
{%- endmacro %}

{#- The lineage columns of an observation dataset (profiles, creator_posts, search_results,
    hashtags, rejected). Files landed before lineage existed have none of them: each such file
    reads as a load of its own (load_id and run_id 'legacy:<file>', attempt 1), captured at 00:00
    UTC of its snapshot date, so a capture that carries lineage always wins over it. -#}
{% macro lineage_columns() -%}
        coalesce(cast(load_id as varchar), 'legacy:' || filename) as load_id,
        coalesce(cast(run_id as varchar), 'legacy:' || filename) as run_id,
        coalesce(cast(run_attempt as integer), 1) as run_attempt,
        coalesce(
            cast(captured_at as timestamp with time zone),
            timezone('UTC', cast(cast(snapshot_date as date) as timestamp))
        ) as captured_at,
        cast(request_seq as bigint) as request_seq
{%- endmacro %}
