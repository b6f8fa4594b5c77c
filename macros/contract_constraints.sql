{#- The marts' data tests, enforced as constraints too.

    Every mart has an enforced model contract, so dbt-duckdb creates its table with a column
    list (`create table ... (columns); insert into ... select`), on a full refresh and for
    every table model on every build. This override of dbt's
    get_table_columns_and_constraints adds, to the constraints declared in YAML, one
    constraint per data test of the model that can fail the build (severity error) and that
    a row-level check can state:

        not_null            column is not null
        accepted_values     column is null or column in (values)
        expression_is_true  coalesce((expression), false)   (macros/test_expression_is_true.sql)
        report_year_in_range  the report years' range          (macros/report_years.sql)

    each limited to the test's `where` rows when it has one. DuckDB then refuses a row that
    breaks one on every insert, including an incremental build's. The data tests stay the
    one declaration (in the YAML, in the docs) and still run on a full build; the
    incremental build leaves them out (selectors.yml, `refresh_incremental`), which is where
    its time went: 106 test nodes, each about 20 ms of dbt's own work however few rows
    changed. tests/transform/test_dbt_models.py checks that every test the incremental selector
    leaves out is a constraint of the built table. -#}

{% macro duckdb__get_table_columns_and_constraints() -%}
  {%- set columns = adapter.render_raw_columns_constraints(raw_columns=model['columns']) -%}
  {%- set constraints = model['constraints'] + test_constraints(model) -%}
  {%- set table_constraints = adapter.render_raw_model_constraints(raw_constraints=constraints) -%}
    (
    {% for c in columns + table_constraints -%}
      {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}


{% macro test_constraints(node) -%}
  {#- check constraints stating the row-level data tests of `node` that fail a build -#}
  {%- set checks = [] -%}
  {%- if execute -%}
    {%- for test in graph.nodes.values()
        if test.resource_type == 'test' and test.attached_node == node.unique_id
        and test.config.severity | lower == 'error' and test.test_metadata -%}
      {%- set rule = test_rule(test.test_metadata.name, test.test_metadata.kwargs) -%}
      {%- if rule -%}
        {%- if test.config.where -%}
          {%- set rule = 'not coalesce((' ~ test.config.where ~ '), false) or ' ~ rule -%}
        {%- endif -%}
        {%- do checks.append({'type': 'check', 'expression': rule, 'name': test.name}) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(checks) }}
{%- endmacro %}


{% macro test_rule(name, kwargs) -%}
  {#- the condition every row must meet for the test `name` to pass; none when a row-level
      check cannot state it (unique, relationships, ...) -#}
  {%- set column = kwargs.get('column_name') -%}
  {%- if name == 'not_null' -%}
    {{ return(column ~ ' is not null') }}
  {%- elif name == 'accepted_values' and kwargs.get('quote', true) -%}
    {%- set quoted = [] -%}
    {%- for value in kwargs['values'] -%}
      {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return('(' ~ column ~ ' is null or ' ~ column ~ ' in (' ~ quoted | join(', ') ~ '))') }}
  {%- elif name == 'expression_is_true' -%}
    {{ return('coalesce((' ~ kwargs['expression'] ~ '), false)') }}
  {%- elif name == 'report_year_in_range' -%}
    {{ return('coalesce(' ~ report_year_in_range(column) ~ ', false)') }}
  {%- endif -%}
  {{ return(none) }}
{%- endmacro %}
