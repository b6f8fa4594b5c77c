-- Per active document, the statistics it prints, summarised for telling versions of one
-- report apart from other reports (int_report_versions): how many cells carry a printed
-- number (and how many of those are not 0), how many were read as uncertain, and a
-- fingerprint of the printed cells, (metric, applicant, value), that is equal exactly when
-- two documents print the same numbers in the same cells.
-- Read from the parser's cells (stg_cells, one printed value per cell): the grouping needs
-- every document's summary in every build, and a batched full refresh builds the
-- per-report models batch by batch (macros/report_increment.sql), so this model is built
-- whole on any full refresh (batched or not) and for the changed reports on an
-- incremental build.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

reports as (

    select report_id from {{ ref('int_reports') }}
    {% if is_incremental() -%}
    where report_id in (select report_id from changed_reports)
    {%- endif %}

),

cells as (

    select document_id, metric_code, applicant, value_status, value
    from {{ ref('stg_cells') }}
    where document_id in (select report_id from reports)

),

readings as (

    select
        document_id,
        metric_code,
        applicant,
        min(value) filter (where value_status = 'printed') as printed_value,
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
            filter (where printed_value is not null) as fingerprint_hash
    from readings
    group by document_id

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
        end as statistics_fingerprint
    from reports
    left join summarised
        on reports.report_id = summarised.document_id

)

select * from final
