-- The accounting identities of seeds/identity_checks.csv evaluated per report and instance.
-- An instance is one applicant column (t3.balance, t3.results_sum), one table-三 row
-- (t3.applicant_sum) or the report itself (t4.*, old.*). It is
--   not_assessable  when any of its cells is absent, blank, uncertain or derived
--                   (identities are judged on printed values only),
--   pass            when the lhs and rhs sums agree within 1e-6,
--   fail            otherwise. Nothing is repaired.
-- Checks apply to the templates listed in the seed; for `local` reports an old.* check is
-- only emitted when at least one of its cells is present.
with

checks as (

    select * from {{ ref('identity_checks') }}

),

reports as (

    select * from {{ ref('int_reports') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}

),

template_metrics as (

    select * from {{ ref('int_template_metrics') }}

),

applicants as (

    select * from {{ ref('applicants') }}

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
        side,
        position,
        'total' as instance,
        0 as instance_order,
        metric_code as term_metric,
        applicant as term_applicant
    from report_terms
    where evaluated_per = 'report'

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
        metrics.value,
        metrics.value_status,
        case
            when metrics.value_status is null then 'absent'
            when metrics.value_status <> 'printed' then metrics.value_status
            when metrics.value is null then 'unreadable'
            else 'printed'
        end as term_status,
        terms.term_metric || '[' || terms.term_applicant || ']' as term_name
    from terms
    left join metrics
        on
            terms.report_id = metrics.report_id
            and terms.term_metric = metrics.metric_code
            and terms.term_applicant = metrics.applicant

),

instances as (

    select
        report_id,
        check_code,
        instance,
        any_value(instance_order) as instance_order,
        any_value(template) as template,
        any_value(evaluated_per) as evaluated_per,
        count(*) as n_inputs,
        count(value_status) as n_present,
        count(*) filter (where term_status <> 'printed') as n_unusable,
        bool_and(term_status = 'printed') filter (where side = 'lhs') as is_lhs_complete,
        bool_and(term_status = 'printed') filter (where side = 'rhs') as is_rhs_complete,
        sum(value) filter (where side = 'lhs') as lhs_sum,
        sum(value) filter (where side = 'rhs') as rhs_sum,
        string_agg(term_name, ', ' order by position) as cells,
        string_agg(
            term_name || ' ' || {{ format_number('value') }}, ' + ' order by position
        ) filter (where side = 'lhs') as lhs_text,
        string_agg(
            term_name || ' ' || {{ format_number('value') }}, ' + ' order by position
        ) filter (where side = 'rhs') as rhs_text,
        string_agg(
            term_name || ' ' || term_status, ', ' order by position
        ) filter (where term_status <> 'printed') as unusable_text
    from terms_with_values
    group by report_id, check_code, instance

),

evaluated as (

    select
        *,
        case when is_lhs_complete then lhs_sum end as actual,
        case when is_rhs_complete then rhs_sum end as expected,
        case
            when n_unusable > 0 then 'not_assessable'
            when abs(lhs_sum - rhs_sum) <= 1e-6 then 'pass'
            else 'fail'
        end as status
    from instances
    where template <> 'local' or n_present > 0

),

final as (

    select
        report_id,
        check_code,
        instance,
        status,
        expected,
        actual,
        case when status <> 'not_assessable' then actual - expected end as difference,
        case status
            when 'pass' then
                'holds: ' || lhs_text || ' = ' || rhs_text
                || ' = ' || {{ format_number('expected') }}
            when 'fail' then
                'fails: ' || lhs_text || ' = ' || {{ format_number('actual') }}
                || ', but ' || rhs_text || ' = ' || {{ format_number('expected') }}
            else 'not assessable: ' || unusable_text
        end as detail,
        cells,
        template,
        evaluated_per,
        instance_order,
        n_inputs,
        n_present,
        n_unusable
    from evaluated

)

select * from final
