-- The reviewed layer: every printed statistic of fct_report_metrics with the reviewed
-- corrections applied (int_reviewed_corrections: seeds/overrides.csv and the reviews store
-- of `xxgk review`, the latest per cell). value is the corrected value where a reviewer
-- corrected the cell and the printed one otherwise; printed_value keeps fct_report_metrics'
-- value, which is never changed. An override for a cell the report does not have is added
-- (review_status `added`) when its report exists. failed_checks names the failing checks
-- (fct_quality_checks, printed values) that use the cell.
-- Incremental: the rows of the changed reports and of their series neighbours are
-- replaced (a report added next year can fail a check on this year's cells; see
-- macros/report_increment.sql).
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id', series_neighbours=true) }}"
    )
}}
with

series_neighbours as (

    {{ series_neighbours_sql() }}

),

metrics as (

    select * from {{ ref('fct_report_metrics') }}

),

reports as (

    select * from {{ ref('int_reports') }}

),

overrides as (

    select * from {{ ref('int_reviewed_corrections') }}

),

checks as (

    select * from {{ ref('int_quality_checks') }}

),

-- the failing checks whose cells can belong to the reports rebuilt: a check's cells are its
-- report's and, across years, its related report's (two filters, each a plain semi-join)
failing_checks as (

    select * from checks
    where status = 'fail' and {{ report_increment_filter('report_id', 'series_neighbours') }}

    {% if filters_reports() -%}
    union all

    select * from checks
    where status = 'fail' and {{ report_increment_filter('related_report_id', 'series_neighbours') }}
    {%- endif %}

),

failing_cells as (

    select
        cell.report_id,
        cell.metric_code,
        cell.applicant,
        string_agg(distinct failing_checks.check_code, ', ' order by failing_checks.check_code)
            as failed_checks
    from failing_checks,
        unnest(failing_checks.cell_keys) as cell_key (cell)
    where {{ report_increment_filter('cell.report_id', 'series_neighbours') }}
    group by cell.report_id, cell.metric_code, cell.applicant

),

known_overrides as (

    select overrides.*
    from overrides
    inner join reports
        on overrides.report_id = reports.report_id
    where {{ report_increment_filter('overrides.report_id', 'series_neighbours') }}

),

reviewed_metrics as (

    select * from metrics
    where {{ report_increment_filter('report_id', 'series_neighbours') }}

),

joined as (

    {{ reviewed_cells('reviewed_metrics', 'known_overrides') }}

),

final as (

    select
        cast(joined.report_id as varchar) as report_id,
        cast(joined.metric_code as varchar) as metric_code,
        cast(joined.applicant as varchar) as applicant,
        cast(joined.value as double) as value,
        cast(joined.printed_value as double) as printed_value,
        cast(joined.review_status as varchar) as review_status,
        cast(joined.override_reason as varchar) as override_reason,
        cast(joined.reviewed_by as varchar) as reviewed_by,
        cast(joined.reviewed_at as date) as reviewed_at,
        cast(joined.review_source as varchar) as review_source,
        cast(joined.value_status as varchar) as value_status,
        cast(failing_cells.failed_checks as varchar) as failed_checks,
        cast(joined.raw_text as varchar) as raw_text,
        cast(joined.source_line as integer) as source_line,
        cast(joined.unit as varchar) as unit
    from joined
    left join failing_cells
        on
            joined.report_id = failing_cells.report_id
            and joined.metric_code = failing_cells.metric_code
            and joined.applicant = failing_cells.applicant

)

select * from final
