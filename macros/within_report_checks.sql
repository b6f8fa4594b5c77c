{#- The within-report checks as CTEs, on any cells: the caller's `with` first defines the
    CTEs `reports` (int_reports rows) and `metrics` (int_report_metrics rows), then calls
    this macro and selects from `final`. int_check_instances calls it on the printed cells,
    int_quality_checks_reviewed on the reviewed ones (corrections applied): the reviewed
    layer re-runs the very same rules.

    * The identities and soft rules of seeds/identity_checks.csv and soft_identity_checks.csv
      (macro evaluate_check_terms): one instance per applicant column, table-三 metric,
      table-二 row or report.
    * `cell.whole_number`: one instance per report with printed count cells (a unit of
      seeds/count_units.csv); it fails when one of them holds a fraction, and names them.
-#}
{% macro within_report_check_ctes() %}

identity_checks as (

    select * from {{ ref('identity_checks') }}

),

soft_identity_checks as (

    select * from {{ ref('soft_identity_checks') }}

),

template_metrics as (

    select * from {{ ref('int_template_metrics') }}

),

applicants as (

    select * from {{ ref('applicants') }}

),

-- the identities are the soft rules' columns but `instance` (each one per applicant,
-- metric or report) and `operator` (always `eq`)
checks as (

    select
        *,
        cast(null as varchar) as instance,
        'eq' as operator
    from identity_checks

    union all by name

    select * from soft_identity_checks

),

check_terms as (

    select
        check_code,
        template_family,
        side,
        position,
        metric_code,
        applicant,
        evaluated_per,
        instance,
        operator,
        unnest(string_split(templates, ' ')) as template
    from checks

),

report_terms as (

    select
        reports.report_id,
        check_terms.*
    from reports
    inner join check_terms
        on reports.template = check_terms.template

),

per_applicant_terms as (

    select
        report_terms.report_id,
        report_terms.check_code,
        report_terms.template,
        report_terms.evaluated_per,
        report_terms.operator,
        report_terms.side,
        report_terms.position,
        applicants.applicant as instance,
        applicants.sort_order as instance_order,
        report_terms.metric_code as term_metric,
        applicants.applicant as term_applicant
    from report_terms
    cross join applicants
    where report_terms.evaluated_per = 'applicant'

),

per_metric_terms as (

    select
        report_terms.report_id,
        report_terms.check_code,
        report_terms.template,
        report_terms.evaluated_per,
        report_terms.operator,
        report_terms.side,
        report_terms.position,
        template_metrics.metric_code as instance,
        0 as instance_order,
        template_metrics.metric_code as term_metric,
        report_terms.applicant as term_applicant
    from report_terms
    inner join template_metrics
        on
            report_terms.template = template_metrics.template
            and template_metrics.section = split_part(report_terms.metric_code, '.', 1)
            and template_metrics.is_value_row
    where report_terms.evaluated_per = 'metric'

),

per_report_terms as (

    select
        report_id,
        check_code,
        template,
        evaluated_per,
        operator,
        side,
        position,
        coalesce(instance, 'total') as instance,
        0 as instance_order,
        metric_code as term_metric,
        applicant as term_applicant
    from report_terms
    where evaluated_per in ('report', 'row')

),

terms as (

    select * from per_applicant_terms
    union all
    select * from per_metric_terms
    union all
    select * from per_report_terms

),

terms_with_values as (

    select
        terms.*,
        cast(null as varchar) as related_report_id,
        1 as sign,
        metrics.value,
        metrics.value_status,
        terms.term_metric || '[' || terms.term_applicant || ']' as term_name,
        terms.term_metric || '[' || terms.term_applicant || ']'
        || coalesce('@L' || metrics.source_line, '') as term_ref,
        terms.report_id as term_report_id
    from terms
    left join metrics
        on
            terms.report_id = metrics.report_id
            and terms.term_metric = metrics.metric_code
            and terms.term_applicant = metrics.applicant

),

contract_codes as (

    select distinct check_code from identity_checks

),

{{ evaluate_check_terms('terms_with_values') }}

identity_instances as (

    select
        {{ check_column_list(omit=['related_report_id', 'source_line']) }},
        cells,
        operator,
        check_code in (select contract_codes.check_code from contract_codes) as is_contract,
        instance_order,
        n_inputs,
        n_present,
        n_unusable
    from check_instances_evaluated

),

count_units as (

    select * from {{ ref('count_units') }}

),

-- the printed count cells; a whole number is within 1e-9 of its rounding
count_cells as (

    select
        metrics.report_id,
        metrics.metric_code,
        metrics.applicant,
        metrics.value,
        abs(metrics.value - round(metrics.value)) > 1e-9 as is_fraction,
        metrics.metric_code || '[' || metrics.applicant || '] ' || {{ format_number('metrics.value') }}
            as cell_text,
        metrics.metric_code || '[' || metrics.applicant || ']'
        || coalesce('@L' || metrics.source_line, '') as cell_ref
    from metrics
    inner join count_units
        on metrics.unit = count_units.unit
    where metrics.value_status = 'printed' and metrics.value is not null

),

whole_number_instances as (

    select
        count_cells.report_id,
        'cell.whole_number' as check_code,
        'total' as instance,
        case when bool_or(count_cells.is_fraction) then 'fail' else 'pass' end as status,
        0.0 as expected,
        cast(count(*) filter (where count_cells.is_fraction) as double) as actual,
        cast(count(*) filter (where count_cells.is_fraction) as double) as difference,
        case
            when bool_or(count_cells.is_fraction)
                then 'fails: a count is not a whole number: '
                || string_agg(count_cells.cell_text, ', ' order by count_cells.cell_ref)
                    filter (where count_cells.is_fraction)
            else 'holds: the ' || count(*) || ' printed count cells are whole numbers'
        end as detail,
        coalesce(
            string_agg(count_cells.metric_code || '[' || count_cells.applicant || ']', ', '
                order by count_cells.cell_ref) filter (where count_cells.is_fraction),
            count(*) || ' count cells'
        ) as cells,
        coalesce(
            string_agg(count_cells.cell_ref, ', ' order by count_cells.cell_ref)
                filter (where count_cells.is_fraction),
            count(*) || ' count cells'
        ) as cell_refs,
        coalesce(
            list(
                {
                    'report_id': count_cells.report_id,
                    'metric_code': count_cells.metric_code,
                    'applicant': count_cells.applicant
                }
                order by count_cells.cell_ref
            ) filter (where count_cells.is_fraction),
            []
        ) as cell_keys,
        any_value(reports.template) as template,
        'report' as evaluated_per,
        'eq' as operator,
        false as is_contract,
        0 as instance_order,
        count(*) as n_inputs,
        count(*) as n_present,
        0 as n_unusable
    from count_cells
    inner join reports
        on count_cells.report_id = reports.report_id
    group by count_cells.report_id

),

final as (

    select * from identity_instances
    union all by name
    select * from whole_number_instances

)

{% endmacro %}
