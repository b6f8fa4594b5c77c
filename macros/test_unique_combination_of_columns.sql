{#- Generic test: no two rows share the same values in all of combination_of_columns.
    Usage (model level):
        data_tests:
          - unique_combination_of_columns:
              combination_of_columns: [report_id, metric_code, applicant] -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select
        {{ columns_csv }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
