-- Per active document, what tells versions of one report from other reports and ranks them
-- (int_report_versions): how many cells carry a printed number (and how many of those are
-- not 0), how many were read as uncertain; a fingerprint of the printed cells, (metric,
-- applicant, value), equal exactly when two documents print the same numbers in the same
-- cells; the list of the cells not 0 (their hashes), which int_report_versions compares
-- between documents; whether the document says it corrects an earlier publication
-- (seeds/correction_markers.csv, in its title or text) and the latest date its text prints.
-- The grouping needs every document's row in every build. A batched full refresh builds the
-- per-report models batch by batch (macros/report_increment.sql), so its first batch reads
-- every document's cells from staging here; any other build reads the changed reports'
-- cells as int_cells_unit_normalised has just read them (printed_value: as printed).
-- depends_on: {{ ref('stg_cells') }}
-- depends_on: {{ ref('int_cells_unit_normalised') }}
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

{{ report_text_ctes(changed_only=is_incremental()) }}

cells as (

    {% if var('report_batch', false) and not is_incremental() -%}
    select document_id, metric_code, applicant, value_status, value as printed_value
    from {{ ref('stg_cells') }}
    {%- else -%}
        select
            document_id,
            metric_code,
            applicant,
            value_status,
            printed_value
        from {{ ref('int_cells_unit_normalised') }}
    {%- endif %}
    where document_id in (select report_id from reports)

),

readings as (

    select
        document_id,
        metric_code,
        applicant,
        min(printed_value) filter (where value_status = 'printed') as printed_value,
        bool_or(value_status = 'uncertain') as is_uncertain
    from cells
    group by document_id, metric_code, applicant

),

summarised as (

    select
        document_id,
        count(printed_value) as n_printed,
        count(*) filter (where printed_value <> 0) as n_nonzero,
        count(*) filter (where printed_value is null and is_uncertain) as n_uncertain,
        -- order-free (no sort state per document): the exclusive or of the cells' hashes
        bit_xor(hash(metric_code, applicant, printed_value))
        filter (where printed_value is not null) as fingerprint_hash,
        list(hash(metric_code, applicant, printed_value)) filter (where printed_value <> 0)
            as nonzero_cells
    from readings
    group by document_id

),

correction_markers as (

    select * from {{ ref('correction_markers') }}

),

corrections as (

    select
        reports.report_id,
        bool_or(
            case correction_markers.searched_in
                when 'title' then contains(coalesce(reports.title, ''), correction_markers.marker)
                else contains(coalesce(texts.text, ''), correction_markers.marker)
            end
        ) as is_correction
    from reports
    left join texts
        on reports.report_id = texts.report_id
    cross join correction_markers
    group by reports.report_id

),

-- the latest date the text prints (its 落款, or the date of a correction notice)
printed_dates as (

    select
        report_id,
        max(
            try_strptime(
                regexp_replace(printed, '^(\d{4})\D+(\d{1,2})\D+(\d{1,2})\D*$', '\1-\2-\3'),
                '%Y-%m-%d'
            )
        )::date as published_on
    from (
        select
            report_id,
            unnest(
                regexp_extract_all(
                    text, '\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2}'
                )
            ) as printed
        from texts
    ) as printed_dates
    group by report_id

),

final as (

    select
        reports.report_id,
        coalesce(summarised.n_printed, 0) as n_printed,
        coalesce(summarised.n_nonzero, 0) as n_nonzero,
        coalesce(summarised.n_uncertain, 0) as n_uncertain,
        case
            when summarised.fingerprint_hash is not null
                then format('{:016x}', summarised.fingerprint_hash)
        end as statistics_fingerprint,
        coalesce(summarised.nonzero_cells, []::ubigint[]) as nonzero_cells,
        coalesce(corrections.is_correction, false) as is_correction,
        printed_dates.published_on
    from reports
    left join summarised
        on reports.report_id = summarised.document_id
    left join corrections
        on reports.report_id = corrections.report_id
    left join printed_dates
        on reports.report_id = printed_dates.report_id

)

select * from final
