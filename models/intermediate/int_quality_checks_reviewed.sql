-- The checks run again on the reviewed cells: for the reports with a reviewed correction
-- (int_reviewed_corrections), the reports' cells with the corrections applied, evaluated by
-- the very macros of the printed checks: the within-report identities, soft rules and
-- whole numbers (within_report_check_ctes), the pairs across years that hold such a report
-- (cross_year_check_ctes), and the text's numbers against the tables (prose_check_ctes).
-- A corrected cell counts as printed (a reviewer read it); a correction of a cell the
-- report lacks adds it. The text's outline and the checks across levels do not use cells
-- and stay as printed. Every other report's checks are as printed (fct_quality_checks), so
-- this relation stays as small as the number of reviewed reports: it is rebuilt whole.
-- Its columns are the check columns (macros/check_columns.sql), as int_quality_checks'.
with

corrections as (

    select * from {{ ref('int_reviewed_corrections') }}

),

reviewed_reports as (

    select distinct corrections.report_id
    from corrections
    inner join {{ ref('int_reports') }} as reports
        on corrections.report_id = reports.report_id

),

template_units as (

    select
        reports.report_id,
        template_metrics.metric_code,
        template_metrics.unit
    from {{ ref('int_reports') }} as reports
    inner join {{ ref('int_template_metrics') }} as template_metrics
        on reports.template = template_metrics.template
    where reports.report_id in (select report_id from reviewed_reports)

),

printed_cells as (

    select * from {{ ref('int_report_metrics') }}
    where report_id in (select report_id from reviewed_reports)

),

reviewed_corrections as (

    select * from corrections
    where report_id in (select report_id from reviewed_reports)

),

-- a corrected cell counts as printed (a reviewer read it); an added one gets its unit
reviewed_cells as (

    select
        reviewed.report_id,
        reviewed.metric_code,
        reviewed.applicant,
        reviewed.value,
        case
            when reviewed.review_status = 'as_printed' then reviewed.value_status
            else 'printed'
        end as value_status,
        reviewed.source_line,
        coalesce(reviewed.unit, template_units.unit) as unit
    from (
        {{ reviewed_cells('printed_cells', 'reviewed_corrections') }}
    ) as reviewed
    left join template_units
        on
            reviewed.report_id = template_units.report_id
            and reviewed.metric_code = template_units.metric_code

),

-- the reports a year before and after a reviewed one in its series: their pairs across
-- years change with it
pair_reports as (

    select series.report_id
    from {{ ref('int_report_series') }} as series
    inner join {{ ref('int_report_series') }} as reviewed
        on
            series.series_key = reviewed.series_key
            and abs(series.report_year - reviewed.report_year) = 1
    where reviewed.report_id in (select report_id from reviewed_reports)

),

within_report as (

    with

    reports as (

        select * from {{ ref('int_reports') }}
        where report_id in (select report_id from reviewed_reports)

    ),

    metrics as (

        select * from reviewed_cells

    ),

    {{ within_report_check_ctes() }}

    select {{ check_column_list(absent=['related_report_id', 'source_line']) }}
    from final

),

cross_year as (

    with

    series as (

        select * from {{ ref('int_report_series') }}

    ),

    -- the reviewed reports' cells, and the printed cells of the other reports of their pairs
    metrics as (

        select * from reviewed_cells
        union all by name
        select * from {{ ref('int_report_metrics') }}
        where
            report_id in (select report_id from pair_reports)
            and report_id not in (select report_id from reviewed_reports)

    ),

    {{ cross_year_check_ctes(
        'this_year.report_id in (select report_id from reviewed_reports)'
        ~ ' or previous_year.report_id in (select report_id from reviewed_reports)'
    ) }}

    select {{ check_column_list(absent=['source_line']) }}
    from final

),

prose_checks as (

    with

    prose as (

        select * from {{ ref('stg_prose_numbers') }}
        where document_id in (select report_id from reviewed_reports)

    ),

    reports as (

        select * from {{ ref('int_reports') }}
        where
            template_family is not null
            and report_id in (select report_id from reviewed_reports)

    ),

    metrics as (

        select * from reviewed_cells
        where applicant = 'total'

    ),

    {{ prose_check_ctes() }}

    select {{ check_column_list() }}
    from final

),

final as (

    select * from within_report
    union all
    select * from cross_year
    union all
    select * from prose_checks

)

select * from final
