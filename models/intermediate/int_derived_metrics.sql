-- Metrics a report does not print but that equal the sum of rows it does print, from
-- seeds/metric_derivations.csv (e.g. the Fujian form splits 网络申请 into 电子邮件 + 网上).
-- A derived value is emitted only when the target is absent and every source is printed;
-- it is marked `derived`, carries no raw text or line, and names its sources in row_label.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

metrics as (

    select * from {{ ref('int_report_metrics') }}
    where {{ report_increment_filter('report_id') }}

),

derivations as (

    select * from {{ ref('metric_derivations') }}

),

template_metrics as (

    select * from {{ ref('int_template_metrics') }}

),

source_cells as (

    select
        metrics.report_id,
        metrics.template,
        derivations.target_code,
        metrics.applicant,
        metrics.value,
        metrics.value_status,
        metrics.source_line,
        metrics.parser_version,
        derivations.source_code
    from metrics
    inner join derivations
        on
            metrics.metric_code = derivations.source_code
            and metrics.template = derivations.template

),

needed as (

    select
        target_code,
        template,
        count(distinct source_code) as n_sources
    from derivations
    group by target_code, template

),

summed as (

    select
        source_cells.report_id,
        source_cells.template,
        source_cells.target_code,
        source_cells.applicant,
        sum(source_cells.value) as value,
        count(distinct source_cells.source_code) as n_sources,
        bool_and(source_cells.value_status = 'printed') as all_printed,
        string_agg(source_cells.source_code, ' + ' order by source_cells.source_code) as sources,
        max(source_cells.parser_version) as parser_version
    from source_cells
    group by
        source_cells.report_id,
        source_cells.template,
        source_cells.target_code,
        source_cells.applicant

),

-- each metric's template unit
template_units as (

    select
        metric_code,
        max(unit) as unit
    from template_metrics
    group by metric_code

),

final as (

    select
        summed.report_id,
        summed.target_code as metric_code,
        summed.applicant,
        summed.value,
        'derived' as value_status,
        cast(null as varchar) as raw_text,
        cast(null as integer) as source_line,
        template_units.unit,
        cast(null as varchar) as unit_text,
        cast(null as double) as printed_value,
        'none' as unit_conversion,
        'derived: ' || summed.sources as row_label,
        'derived' as section,
        'derived' as match_method,
        cast(null as double) as match_score,
        cast(null as varchar) as alternatives,
        cast(null as integer) as source_column,
        cast(null as integer) as source_page,
        cast(null as double) as ocr_x0,
        cast(null as double) as ocr_y0,
        cast(null as double) as ocr_x1,
        cast(null as double) as ocr_y1,
        cast(null as varchar) as ocr_engine,
        cast(null as double) as ocr_confidence,
        summed.parser_version,
        cast(1 as bigint) as n_readings,
        summed.template,
        true as in_template
    from summed
    inner join needed
        on
            summed.target_code = needed.target_code
            and summed.template = needed.template
            and summed.n_sources = needed.n_sources
    left join metrics as printed
        on
            summed.report_id = printed.report_id
            and summed.target_code = printed.metric_code
            and summed.applicant = printed.applicant
    left join template_units
        on summed.target_code = template_units.metric_code
    where summed.all_printed and printed.report_id is null

)

select * from final
