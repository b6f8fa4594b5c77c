-- Row labels read inside statistics tables that matched no metric code, with the file they
-- came from: the work list for new label_aliases.
with

unmapped_labels as (

    select * from {{ ref('stg_unmapped_labels') }}

),

reports as (

    select * from {{ ref('int_reports') }}

),

final as (

    select
        cast(unmapped_labels.document_id as varchar) as report_id,
        cast(reports.source_file as varchar) as source_file,
        cast(unmapped_labels.section as varchar) as section,
        cast(unmapped_labels.row_label as varchar) as row_label,
        cast(unmapped_labels.normalised_label as varchar) as normalised_label,
        cast(unmapped_labels.source_line as integer) as source_line,
        cast(unmapped_labels.best_code as varchar) as best_code,
        cast(unmapped_labels.best_score as double) as best_score,
        cast(reports.template as varchar) as template
    from unmapped_labels
    inner join reports
        on unmapped_labels.document_id = reports.report_id

)

select * from final
