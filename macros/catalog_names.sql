{#- dbt-duckdb's catalog queries write the warehouse's catalog name (its file name) into SQL
    string literals as they are: a file named o'w.duckdb ended every build with a syntax
    error. These overrides (dbt picks the project's macros before the adapter's: its
    duckdb__* implementations and drop_indexes_on_relation) are the adapter's own queries
    with the names written as proper literals. -#}

{% macro xxgk_literal(name) -%}
    '{{ (name | string).strip('"').replace("'", "''") }}'
{%- endmacro %}

{% macro duckdb__create_schema(relation) -%}
  {%- call statement('create_schema') -%}
    {% set sql %}
        select type from duckdb_databases()
        where lower(database_name) = lower({{ xxgk_literal(relation.database) }})
        and type != 'duckdb'
    {% endset %}
    {% set results = run_query(sql) %}
    {% if results|length == 0 %}
        create schema if not exists {{ relation.without_identifier() }}
    {% else %}
        {% set attached_type = results.columns[0].values()[0] %}
        {% if attached_type == 'sqlite' and relation.schema != 'main' %}
            {{ exceptions.raise_compiler_error(
                "Schema must be 'main' when writing to sqlite "
                ~ "instead got " ~ relation.schema
            )}}
        {% elif attached_type not in ['sqlite', 'mysql'] %}
            create schema if not exists {{ relation.without_identifier() }}
        {% endif %}
    {% endif %}
  {%- endcall -%}
{% endmacro %}

{% macro duckdb__list_schemas(database) -%}
  {% set sql %}
    select schema_name
    from system.information_schema.schemata
    {% if database is not none %}
    where lower(catalog_name) = lower({{ xxgk_literal(database) }})
    {% endif %}
  {% endset %}
  {{ return(run_query(sql)) }}
{% endmacro %}

{% macro duckdb__check_schema_exists(information_schema, schema) -%}
  {% set sql -%}
        select count(*)
        from system.information_schema.schemata
        where lower(schema_name) = lower({{ xxgk_literal(schema) }})
        and lower(catalog_name) = lower({{ xxgk_literal(information_schema.database) }})
  {%- endset %}
  {{ return(run_query(sql)) }}
{% endmacro %}

{% macro duckdb__list_relations_without_caching(schema_relation) %}
  {% call statement('list_relations_without_caching', fetch_result=True) -%}
    select
      {{ xxgk_literal(schema_relation.database) }} as database,
      table_name as name,
      table_schema as schema,
      CASE table_type
        WHEN 'BASE TABLE' THEN 'table'
        WHEN 'VIEW' THEN 'view'
        WHEN 'LOCAL TEMPORARY' THEN 'table'
        END as type
    from system.information_schema.tables
    where lower(table_schema) = lower({{ xxgk_literal(schema_relation.schema) }})
    and lower(table_catalog) = lower({{ xxgk_literal(schema_relation.database) }})
  {% endcall %}
  {{ return(load_result('list_relations_without_caching').table) }}
{% endmacro %}

{% macro duckdb__get_catalog_tables_sql(information_schema) -%}
    select *
    from (
        select
            t.database_name as table_database,
            t.schema_name as table_schema,
            t.table_name as table_name,
            'BASE TABLE' as table_type,
            t.comment as table_comment
        from duckdb_tables() t
        where upper(t.database_name) = upper({{ xxgk_literal(information_schema.database) }})

        union all

        select
            v.database_name as table_database,
            v.schema_name as table_schema,
            v.view_name as table_name,
            'VIEW' as table_type,
            v.comment as table_comment
        from duckdb_views() v
        where upper(v.database_name) = upper({{ xxgk_literal(information_schema.database) }})
    ) catalog_tables
{%- endmacro %}

{% macro duckdb__get_catalog_columns_sql(information_schema) -%}
    select *
    from (
        select
            c.database_name as table_database,
            c.schema_name as table_schema,
            c.table_name as table_name,
            c.column_name as column_name,
            c.column_index as column_index,
            c.data_type as column_type,
            c.comment as column_comment
        from duckdb_columns() c
        where upper(c.database_name) = upper({{ xxgk_literal(information_schema.database) }})
    ) catalog_columns
{%- endmacro %}

{% macro drop_indexes_on_relation(relation) -%}
  {#-- auto_begin=False on these reads so this macro can run safely after
       adapter.commit() in a materialization cleanup without opening a new
       transaction that would later get rolled back at connection release. #}
  {% call statement('get_indexes_on_relation', fetch_result=True, auto_begin=False) %}
    SELECT index_name
    FROM duckdb_indexes()
    WHERE database_name = {{ xxgk_literal(relation.database) }}
      AND schema_name = {{ xxgk_literal(relation.schema) }}
      AND table_name = {{ xxgk_literal(relation.identifier) }}
  {% endcall %}

  {% set results = load_result('get_indexes_on_relation').table %}
  {% for row in results %}
    {% set index_name = row[0] %}
    {% call statement('drop_index_' + loop.index|string, auto_begin=false) %}
      DROP INDEX "{{ relation.database }}"."{{ relation.schema }}"."{{ index_name }}"
    {% endcall %}
  {% endfor %}
{%- endmacro %}
