-- One row per check of seeds/check_catalogue.csv: over the reports it applies to, how many
-- pass, fail or cannot be assessed, and the share of assessed reports failing it. A check
-- fails for a report when any of its instances fails (as in fct_report_quality). A report
-- counts once: its canonical version's checks (int_report_versions).
with

catalogue as (

    select * from {{ ref('check_catalogue') }}

),

checks as (

    select * from {{ ref('int_quality_checks') }}
    where report_id in ({{ canonical_reports_sql() }})

),

per_report as (

    select
        check_code,
        report_id,
        count(*) as n_instances,
        count(*) filter (where status = 'fail') as n_failed_instances,
        {{ rollup_check_status('status') }} as status
    from checks
    group by check_code, report_id

),

per_check as (

    select
        check_code,
        count(*) as n_reports,
        count(*) filter (where status = 'pass') as n_reports_passed,
        count(*) filter (where status = 'fail') as n_reports_failed,
        count(*) filter (where status = 'not_assessable') as n_reports_not_assessable,
        sum(n_instances) as n_instances,
        sum(n_failed_instances) as n_failed_instances
    from per_report
    group by check_code

),

final as (

    select
        cast(catalogue.check_code as varchar) as check_code,
        cast(catalogue.check_group as varchar) as check_group,
        cast(catalogue.severity as varchar) as severity,
        cast(catalogue.is_contract as boolean) as is_contract,
        cast(coalesce(per_check.n_reports, 0) as bigint) as n_reports,
        cast(coalesce(per_check.n_reports_passed, 0) as bigint) as n_reports_passed,
        cast(coalesce(per_check.n_reports_failed, 0) as bigint) as n_reports_failed,
        cast(coalesce(per_check.n_reports_not_assessable, 0) as bigint)
            as n_reports_not_assessable,
        cast(
            per_check.n_reports_failed
            / nullif(per_check.n_reports_passed + per_check.n_reports_failed, 0) as double
        ) as failure_share,
        cast(coalesce(per_check.n_instances, 0) as bigint) as n_instances,
        cast(coalesce(per_check.n_failed_instances, 0) as bigint) as n_failed_instances,
        cast(catalogue.rule as varchar) as rule,
        cast(catalogue.description as varchar) as description
    from catalogue
    left join per_check
        on catalogue.check_code = per_check.check_code

)

select * from final
