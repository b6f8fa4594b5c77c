-- Checks across two consecutive reports of one series (int_report_series): this year's
-- cells against last year's (seeds/cross_year_checks.csv), e.g. this year's 上年结转 equals
-- last year's 结转下年度. One instance per report, check, applicant column or table-二 row,
-- and previous report (related_report_id); both reports must have a template the check
-- lists. Evaluated by the macro evaluate_check_terms like the within-report identities.
-- A series holds each report's canonical version only, so no report is compared with
-- another version of itself.
-- Incremental: the pairs with a changed report in them are replaced (the changed report
-- this year or last year, and every version of its report, whose canonical one may have
-- changed: macros/report_increment.sql); a batched full refresh builds them batch by batch
-- like the per-report models.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id', versions=true,
            also='related_report_id in (' ~ changed_versions_sql() ~ ')') }}"
    )
}}
with

{{ changed_versions_cte() }},

series_neighbours as (

    {{ series_neighbours_sql() }}

),

series as (

    select * from {{ ref('int_report_series') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}
    -- the reports of those pairs: the changed ones and their neighbours a year apart
    where {{ report_increment_filter('report_id', 'series_neighbours') }}

),

{{ cross_year_check_ctes(
    report_increment_filter('this_year.report_id', 'changed_versions')
    ~ ' or ' ~ report_increment_filter('previous_year.report_id', 'changed_versions')
) }}

select * from final
