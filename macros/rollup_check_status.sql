{#- A check's status over several instances (aggregate expression): `fail` when any
    instance fails, `pass` when none fails and one passed, `not_assessable` otherwise.
    score.py and fct_report_quality / fct_check_summary read a check this way. -#}
{% macro rollup_check_status(status) -%}
    case
        when bool_or({{ status }} = 'fail') then 'fail'
        when bool_or({{ status }} = 'pass') then 'pass'
        else 'not_assessable'
    end
{%- endmacro %}
