-- One row per statistic cell read from a report (report, metric, applicant). value is in
-- the template's unit (amounts in 万元 where the template says 万元); blank cells have a
-- NULL value; uncertain cells carry the best reading and keep the others in alternatives.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

printed as (

    select * from {{ ref('int_report_metrics') }}
    where {{ report_increment_filter('report_id') }}

),

derived as (

    select * from {{ ref('int_derived_metrics') }}
    where {{ report_increment_filter('report_id') }}

),

-- the derived cells have the printed cells' columns (int_derived_metrics)
metrics as (

    select * from printed
    union all by name
    select * from derived

),

final as (

    select
        -- contract
        cast(report_id as varchar) as report_id,
        cast(metric_code as varchar) as metric_code,
        cast(applicant as varchar) as applicant,
        cast(value as double) as value,
        cast(value_status as varchar) as value_status,
        cast(raw_text as varchar) as raw_text,
        cast(source_line as integer) as source_line,

        -- units
        cast(unit as varchar) as unit,
        cast(unit_text as varchar) as unit_text,
        cast(printed_value as double) as printed_value,
        cast(unit_conversion as varchar) as unit_conversion,

        -- how the cell was read
        cast(row_label as varchar) as row_label,
        cast(section as varchar) as section,
        cast(match_method as varchar) as match_method,
        cast(match_score as double) as match_score,
        cast(alternatives as varchar) as alternatives,
        cast(template as varchar) as template,
        cast(in_template as boolean) as in_template,
        cast(n_readings as bigint) as n_readings,
        cast(parser_version as varchar) as parser_version,

        -- where it was printed: the page, and the OCR box a scanned value was read from
        cast(source_column as integer) as source_column,
        cast(source_page as integer) as source_page,
        cast(ocr_x0 as double) as ocr_x0,
        cast(ocr_y0 as double) as ocr_y0,
        cast(ocr_x1 as double) as ocr_x1,
        cast(ocr_y1 as double) as ocr_y1,
        cast(ocr_engine as varchar) as ocr_engine,
        cast(ocr_confidence as double) as ocr_confidence

    from metrics

)

select * from final
