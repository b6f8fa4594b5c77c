-- Every check instance of every family, one row per report, check, instance and related
-- report (int_quality_checks): the contract identities (also in fct_check_results), the
-- further template and soft rules, the text against the tables, consecutive years of a
-- series and a region against its sub-regions. A failing check is reported, never repaired;
-- severity `warn` marks rules that real reports may legitimately break.
-- Incremental like int_quality_checks: the rows of the changed reports and of their
-- series neighbours are replaced, and the family across levels whole.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_replaced_checks() }}"
    )
}}
with

{{ replaced_quality_checks_ctes() }}

final as (

    select
        cast(report_id as varchar) as report_id,
        cast(check_code as varchar) as check_code,
        cast(instance as varchar) as instance,
        cast(status as varchar) as status,
        cast(severity as varchar) as severity,
        cast(check_group as varchar) as check_group,
        cast(is_contract as boolean) as is_contract,
        cast(expected as double) as expected,
        cast(actual as double) as actual,
        cast(difference as double) as difference,
        cast(detail as varchar) as detail,
        cast(cell_refs as varchar) as cells,
        cast(related_report_id as varchar) as related_report_id,
        cast(source_line as integer) as source_line,
        cast(template as varchar) as template,
        cast(evaluated_per as varchar) as evaluated_per
    from checks

)

select * from final
