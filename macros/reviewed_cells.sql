{#- The reviewed cells: the relation `cells` (int_report_metrics or fct_report_metrics rows)
    with the corrections of `corrections` (int_reviewed_corrections rows) applied, as one
    select. `value` is the corrected value where a reviewer corrected the cell, the printed
    one otherwise; printed_value and value_status stay the printed cell's; review_status is
    `as_printed`, `corrected` or `added` (a correction of a cell `cells` lacks).
    fct_report_metrics_reviewed shows them; int_quality_checks_reviewed runs the checks on
    them. -#}
{% macro reviewed_cells(cells, corrections) %}
    select
        coalesce({{ cells }}.report_id, {{ corrections }}.report_id) as report_id,
        coalesce({{ cells }}.metric_code, {{ corrections }}.metric_code) as metric_code,
        coalesce({{ cells }}.applicant, {{ corrections }}.applicant) as applicant,
        case
            when {{ corrections }}.report_id is not null then {{ corrections }}.corrected_value
            else {{ cells }}.value
        end as value,
        {{ cells }}.value as printed_value,
        case
            when {{ corrections }}.report_id is null then 'as_printed'
            when {{ cells }}.report_id is null then 'added'
            else 'corrected'
        end as review_status,
        {{ cells }}.value_status,
        {{ corrections }}.reason as override_reason,
        {{ corrections }}.reviewed_by,
        {{ corrections }}.reviewed_at,
        {{ corrections }}.review_source,
        {{ cells }}.raw_text,
        {{ cells }}.source_line,
        {{ cells }}.unit
    from {{ cells }}
    full outer join {{ corrections }}
        on
            {{ cells }}.report_id = {{ corrections }}.report_id
            and {{ cells }}.metric_code = {{ corrections }}.metric_code
            and {{ cells }}.applicant = {{ corrections }}.applicant
{% endmacro %}
