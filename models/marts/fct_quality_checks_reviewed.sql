-- The reviewed layer of the checks: every check instance of fct_quality_checks, with its
-- status on the reviewed cells (int_quality_checks_reviewed: the corrections of
-- seeds/overrides.csv and of the reviews store applied, the checks run again) beside the
-- printed status, and the reviewer's latest verdict on it (stg_review_verdicts:
-- `printed_inconsistency` or `read_error`; `pending` withdraws a verdict). review_state
-- sums it up for the analyst:
--   printed_inconsistency  a reviewer confirmed the report really prints the inconsistency
--   corrected              it fails as printed, passes on the reviewed values
--   read_error             a reviewer found a misreading, but no corrected value makes it
--                          pass yet
--   open                   it fails and nobody has judged it
--   NULL                   it does not fail
-- fct_quality_checks and fct_report_metrics stay as printed.
-- Incremental like fct_quality_checks: a review changes its report (ingest/reviews.py lists
-- it in meta.changed_reports), and the rows of the changed reports and of their series
-- neighbours are replaced.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_replaced_checks() }}"
    )
}}
with

{{ replaced_quality_checks_ctes() }}

reevaluated as (

    select * from {{ ref('int_quality_checks_reviewed') }}

),

verdicts as (

    select *
    from {{ ref('stg_review_verdicts') }}
    qualify row_number() over (
            partition by report_id, check_code, instance, related_report_id
            order by reviewed_at desc, review_id desc
        ) = 1

),

joined as (

    select
        checks.report_id,
        checks.check_code,
        checks.instance,
        checks.related_report_id,
        coalesce(reevaluated.status, checks.status) as status,
        checks.status as printed_status,
        checks.severity,
        checks.check_group,
        checks.is_contract,
        coalesce(reevaluated.expected, checks.expected) as expected,
        coalesce(reevaluated.actual, checks.actual) as actual,
        case
            when reevaluated.status is not null then reevaluated.difference
            else checks.difference
        end as difference,
        coalesce(reevaluated.detail, checks.detail) as detail,
        checks.detail as printed_detail,
        checks.cell_refs as cells,
        checks.cell_keys,
        checks.source_line,
        checks.template,
        case when verdicts.verdict <> 'pending' then verdicts.verdict end as verdict,
        case when verdicts.verdict <> 'pending' then verdicts.reason end as verdict_reason,
        case when verdicts.verdict <> 'pending' then verdicts.reviewed_by end as reviewed_by,
        case when verdicts.verdict <> 'pending' then verdicts.reviewed_at end as reviewed_at
    from checks
    left join reevaluated
        on
            checks.report_id = reevaluated.report_id
            and checks.check_code = reevaluated.check_code
            and checks.instance = reevaluated.instance
            and checks.related_report_id is not distinct from reevaluated.related_report_id
    left join verdicts
        on
            checks.report_id = verdicts.report_id
            and checks.check_code = verdicts.check_code
            and checks.instance = verdicts.instance
            and checks.related_report_id is not distinct from verdicts.related_report_id

),

final as (

    select
        cast(report_id as varchar) as report_id,
        cast(check_code as varchar) as check_code,
        cast(instance as varchar) as instance,
        cast(related_report_id as varchar) as related_report_id,
        cast(status as varchar) as status,
        cast(printed_status as varchar) as printed_status,
        cast(
            case
                when verdict = 'printed_inconsistency' then 'printed_inconsistency'
                when printed_status = 'fail' and status <> 'fail' then 'corrected'
                when verdict = 'read_error' then 'read_error'
                when status = 'fail' then 'open'
            end as varchar
        ) as review_state,
        cast(verdict as varchar) as verdict,
        cast(verdict_reason as varchar) as verdict_reason,
        cast(reviewed_by as varchar) as reviewed_by,
        cast(reviewed_at as timestamp) as reviewed_at,
        cast(severity as varchar) as severity,
        cast(check_group as varchar) as check_group,
        cast(is_contract as boolean) as is_contract,
        cast(expected as double) as expected,
        cast(actual as double) as actual,
        cast(difference as double) as difference,
        cast(detail as varchar) as detail,
        cast(printed_detail as varchar) as printed_detail,
        cast(cells as varchar) as cells,
        cast(cell_keys as {{ cell_keys_type() }}) as cell_keys,
        cast(source_line as integer) as source_line,
        cast(template as varchar) as template
    from joined

)

select * from final
