{#- Generic test: no two rows share the same values in all of combination_of_columns.
    Usage (model level):
        data_tests:
          - unique_combination_of_columns:
              combination_of_columns: [report_id, metric_code, applicant]
              changed_reports_key: report_id   # optional, see below

    changed_reports_key names a column of the combination by which the model replaces its
    rows whole (macros/report_increment.sql: a pre-hook deletes the changed reports' rows by
    that column and every input is filtered on it). On xxgk's incremental build
    (`builds_changed_reports_only`) only the changed reports' rows can then hold a new
    duplicate (every key contains the column), so the test reads those rows alone; the rest
    passed this test when they were built. Every other build, and `dbt test`, reads all rows.
    With replaces_versions: true the model replaces the rows of every version of a changed
    report (`delete_changed_reports(..., versions=true)`), and the test reads those.
    tests/transform/test_dbt_models.py checks that each model tested so replaces its rows that
    way. -#}
{% test unique_combination_of_columns(
    model, combination_of_columns, changed_reports_key=none, replaces_versions=false
) %}
    {%- if changed_reports_key and changed_reports_key not in combination_of_columns %}
        {{ exceptions.raise_compiler_error(
            "changed_reports_key " ~ changed_reports_key ~ " is not one of " ~ combination_of_columns) }}
    {%- endif %}
    {%- if replaces_versions %}
    -- depends_on: {{ ref('int_report_versions') }}
    {%- endif %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select
        {{ columns_csv }},
        count(*) as n_rows
    from {{ model }}
    {%- if changed_reports_key and builds_changed_reports_only() %}
    where {{ changed_reports_key }} in (
        {%- if replaces_versions %}
        {{ changed_versions_sql() }}
        {%- else %}
        select report_id from {{ source('meta', 'changed_reports') }}
        {%- endif %}
    )
    {%- endif %}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
