{#- Generic test: every row satisfies a SQL boolean expression (NULL counts as a failure
    unless the expression handles it). Use config.where to restrict the rows.
    Usage (column or model level):
        data_tests:
          - expression_is_true:
              expression: "value >= 0"
              config:
                where: "metric_code not like '%.delta_items'" -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
