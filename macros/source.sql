{#- Sources without the catalog: dbt-duckdb names a source `<catalog>.raw.<table>`, the
    catalog being the warehouse file's name (`xxgk`), and the staging views keep that name
    in their SQL, so a copied, renamed or attached (`attach ... as w`) serving file could
    not read them. Without it, a view reads the schema of its own database. dbt's documented
    way to change source(): a project macro that calls the builtin. -#}
{% macro source(source_name, table_name) -%}
    {%- do return(builtins.source(source_name, table_name).include(database=false)) -%}
{%- endmacro %}
