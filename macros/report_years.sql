{#- The years a report may cover: from var `first_report_year` (dbt_project.yml, the one
    declaration, which the parser and the Great Expectations suites read too) to the year the
    build runs in. A literal range, so the marts' contracts can state it as a CHECK constraint
    (macros/contract_constraints.sql). -#}
{% macro report_year_in_range(column) -%}
    ({{ column }} is null or {{ column }} between {{ var('first_report_year') }} and {{ run_started_at.year }})
{%- endmacro %}


{#- Generic test: the column's years are in that range (NULL passes).
    Usage: data_tests: [report_year_in_range] -#}
{% test report_year_in_range(model, column_name) %}
    select *
    from {{ model }}
    where not {{ report_year_in_range(column_name) }}
{% endtest %}
