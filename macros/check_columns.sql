{#- The columns of a check instance, in order, with their types: the one declaration of the
    shape every check family gives (int_check_instances, int_prose_checks, int_text_checks,
    int_cross_year_checks, int_cross_level_checks, int_version_conflicts) and the relations
    that union the families keep (int_quality_checks, which adds the catalogue's columns,
    and int_quality_checks_reviewed). The marts' contracts (fct_quality_checks,
    fct_quality_checks_reviewed) cast these columns to the contract's names and types.
-#}
{% macro check_columns() -%}
{{ return({
    'report_id': 'varchar',
    'check_code': 'varchar',
    'instance': 'varchar',
    'related_report_id': 'varchar',
    'status': 'varchar',
    'expected': 'double',
    'actual': 'double',
    'difference': 'double',
    'detail': 'varchar',
    'cell_refs': 'varchar',
    'cell_keys': cell_keys_type(),
    'source_line': 'integer',
    'template': 'varchar',
    'evaluated_per': 'varchar',
}) }}
{%- endmacro %}


{#- The type of `cell_keys`: the cells an instance uses, as {report_id, metric_code,
    applicant} -#}
{% macro cell_keys_type() -%}
struct(report_id varchar, metric_code varchar, applicant varchar)[]
{%- endmacro %}


{#- The check columns as select targets, one a line, for a relation that has them by name:
    those in `absent` (a family that has no use for them) as typed NULLs, those in `omit`
    left out. -#}
{% macro check_column_list(absent=[], omit=[]) -%}
{%- for column, type in check_columns().items() if column not in omit %}
    {% if column in absent -%}
        cast(null as {{ type }}) as {{ column }}
    {%- else -%}
        {{ column }}
    {%- endif %}{{ ',' if not loop.last }}
{%- endfor %}
{%- endmacro %}
