-- One row per report, metric and applicant: the unit-normalised cells with the report's
-- template. Should the parser emit the same cell twice, one reading is kept (printed before
-- uncertain before derived before blank, then the earliest line) and n_readings says so.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

cells as (

    select * from {{ ref('int_cells_unit_normalised') }}
    where {{ report_increment_filter('document_id') }}

),

reports as (

    select * from {{ ref('int_reports') }}
    where {{ report_increment_filter('report_id') }}

),

template_metrics as (

    select * from {{ ref('int_template_metrics') }}

),

ranked as (

    select
        cells.*,
        count(*) over (
            partition by cells.document_id, cells.metric_code, cells.applicant
        ) as n_readings,
        row_number() over (
            partition by cells.document_id, cells.metric_code, cells.applicant
            order by
                case cells.value_status
                    when 'printed' then 0
                    when 'uncertain' then 1
                    when 'derived' then 2
                    else 3
                end,
                cells.source_line nulls last,
                cells.raw_text nulls last,
                cells.value nulls last,
                cells.row_label nulls last
        ) as reading_rank
    from cells

),

final as (

    select
        ranked.document_id as report_id,
        ranked.metric_code,
        ranked.applicant,
        ranked.value,
        ranked.value_status,
        ranked.raw_text,
        ranked.source_line,
        ranked.unit,
        ranked.unit_text,
        ranked.printed_value,
        ranked.unit_conversion,
        ranked.row_label,
        ranked.section,
        ranked.match_method,
        ranked.match_score,
        ranked.alternatives,
        {{ cell_provenance_columns('ranked.') }},
        ranked.parser_version,
        ranked.n_readings,
        reports.template,
        (
            template_metrics.metric_code is not null
            or (reports.template = 'local' and ranked.metric_code like 'local.%')
        ) as in_template
    from ranked
    inner join reports
        on ranked.document_id = reports.report_id
    left join template_metrics
        on
            reports.template = template_metrics.template
            and ranked.metric_code = template_metrics.metric_code
    where ranked.reading_rank = 1

)

select * from final
