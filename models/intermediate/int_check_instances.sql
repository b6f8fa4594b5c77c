-- The within-report identities evaluated per report and instance: the contract's accounting
-- identities (seeds/identity_checks.csv, is_contract) and the further template and soft
-- rules of seeds/soft_identity_checks.csv (a relation `operator`: eq, ge or le).
-- An instance is one applicant column (t3.balance, t3.results_sum), one table-三 row
-- (t3.applicant_sum), one named row (evaluated_per `row`, e.g. table 二's regulation and
-- normative_doc) or the report itself (t4.*, old.*). Status, sums and details come from the
-- macro evaluate_check_terms: judged on printed values only, nothing is repaired.
-- Checks apply to the templates listed in the seeds; for `local` reports an old.* check is
-- only emitted when at least one of its cells is present.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

identity_checks as (

    select * from {{ ref('identity_checks') }}

),

soft_identity_checks as (

    select * from {{ ref('soft_identity_checks') }}

),

reports as (

    select * from {{ ref('int_reports') }}
    where {{ report_increment_filter('report_id') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}
    where {{ report_increment_filter('report_id') }}

),

template_metrics as (

    select * from {{ ref('int_template_metrics') }}

),

applicants as (

    select * from {{ ref('applicants') }}

),

checks as (

    select
        check_code,
        template_family,
        templates,
        side,
        position,
        metric_code,
        applicant,
        evaluated_per,
        cast(null as varchar) as instance,
        'eq' as operator
    from identity_checks

    union all

    select
        check_code,
        template_family,
        templates,
        side,
        position,
        metric_code,
        applicant,
        evaluated_per,
        instance,
        operator
    from soft_identity_checks

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

final as (

    select
        check_instances_evaluated.report_id,
        check_instances_evaluated.check_code,
        check_instances_evaluated.instance,
        check_instances_evaluated.status,
        check_instances_evaluated.expected,
        check_instances_evaluated.actual,
        case
            when check_instances_evaluated.status <> 'not_assessable'
                then check_instances_evaluated.actual - check_instances_evaluated.expected
        end as difference,
        {{ check_detail() }} as detail,
        check_instances_evaluated.cells,
        check_instances_evaluated.cell_refs,
        check_instances_evaluated.cell_keys,
        check_instances_evaluated.template,
        check_instances_evaluated.evaluated_per,
        check_instances_evaluated.operator,
        contract_codes.check_code is not null as is_contract,
        check_instances_evaluated.instance_order,
        check_instances_evaluated.n_inputs,
        check_instances_evaluated.n_present,
        check_instances_evaluated.n_unusable
    from check_instances_evaluated
    left join contract_codes
        on check_instances_evaluated.check_code = contract_codes.check_code

)

select * from final
