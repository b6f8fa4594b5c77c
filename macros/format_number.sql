{#- Render a double as text without a trailing ".0" for whole numbers: 10.0 -> '10',
    198.93 -> '198.93', NULL -> '?'. Used to build readable check details. -#}
{% macro format_number(expression) -%}
    case
        when ({{ expression }}) is null then '?'
        when ({{ expression }}) = round({{ expression }})
            and abs({{ expression }}) < 1e15
            then cast(cast({{ expression }} as bigint) as varchar)
        else cast({{ expression }} as varchar)
    end
{%- endmacro %}
