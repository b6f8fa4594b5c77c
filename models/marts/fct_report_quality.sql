-- One row per report: how far its printed numbers can be trusted. Check counts are per
-- check code (a code fails when any of its instances fails, passes when every assessed
-- instance passes, and is not assessable when none could be assessed), over every family
-- of fct_quality_checks; cell counts come from fct_report_metrics. The grade (docs/quality.md):
--   D  no statistics were read (the report's statistics sections present but no table read:
--      `table_unread`, with the parser's reason), or no check could be assessed;
--   C  a check of severity `error` fails (a template identity is broken), more than 10% of
--      the cells are uncertain readings, or a page of the file could not be read (a scan
--      OCR could not read in time, or at all: extraction_status ocr_incomplete/needs_ocr);
--   B  only checks of severity `warn` fail, or some cells are uncertain, or no check of
--      severity `error` could be assessed (the table's own sums are unverified);
--   A  every assessed check passes, at least one template identity among them, and every
--      cell was read unambiguously.
with

reports as (

    select * from {{ ref('int_reports') }}

),

checks as (

    select * from {{ ref('int_quality_checks') }}

),

versions as (

    select * from {{ ref('int_report_versions') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}

),

overrides as (

    select * from {{ ref('int_reviewed_corrections') }}

),

check_codes as (

    select
        report_id,
        check_code,
        any_value(severity) as severity,
        any_value(is_contract) as is_contract,
        any_value(check_group) as check_group,
        count(*) filter (where status = 'fail') as n_failed_instances,
        {{ rollup_check_status('status') }} as status
    from checks
    group by report_id, check_code

),

check_counts as (

    select
        report_id,
        count(*) as n_checks,
        count(*) filter (where status = 'pass') as n_passed,
        count(*) filter (where status = 'fail') as n_failed,
        count(*) filter (where status = 'not_assessable') as n_not_assessable,
        count(*) filter (where status = 'fail' and severity = 'error') as n_failed_error,
        -- the template identities (group `identity`): an error-level check of another group
        -- (cell.whole_number) does not verify the table's sums
        count(*) filter (
            where status <> 'not_assessable' and severity = 'error' and check_group = 'identity'
        ) as n_assessed_error,
        count(*) filter (where status = 'fail' and severity = 'warn') as n_failed_warn,
        count(*) filter (where status = 'fail' and is_contract) as n_failed_contract,
        sum(n_failed_instances) as n_failed_instances,
        string_agg(check_code, ', ' order by check_code) filter (where status = 'fail')
            as failed_checks
    from check_codes
    group by report_id

),

cell_counts as (

    select
        report_id,
        count(*) as n_cells,
        count(*) filter (where value_status = 'printed') as n_printed,
        count(*) filter (where value_status = 'uncertain') as n_uncertain,
        count(*) filter (where value_status = 'derived') as n_derived,
        count(*) filter (where value_status = 'blank') as n_blank
    from metrics
    group by report_id

),

override_counts as (

    select
        report_id,
        count(*) as n_reviewed_corrections
    from overrides
    group by report_id

),

counted as (

    select
        reports.report_id,
        reports.source_file,
        reports.report_year,
        reports.template,
        reports.parse_status,
        reports.parse_note,
        reports.extraction_status in ('ocr_incomplete', 'needs_ocr') as has_unread_pages,
        coalesce(check_counts.n_checks, 0) as n_checks,
        coalesce(check_counts.n_passed, 0) as n_passed,
        coalesce(check_counts.n_failed, 0) as n_failed,
        coalesce(check_counts.n_not_assessable, 0) as n_not_assessable,
        coalesce(check_counts.n_failed_error, 0) as n_failed_error,
        coalesce(check_counts.n_assessed_error, 0) as n_assessed_error,
        coalesce(check_counts.n_failed_warn, 0) as n_failed_warn,
        coalesce(check_counts.n_failed_contract, 0) as n_failed_contract,
        coalesce(check_counts.n_failed_instances, 0) as n_failed_instances,
        check_counts.failed_checks,
        coalesce(cell_counts.n_cells, 0) as n_cells,
        coalesce(cell_counts.n_printed, 0) as n_printed,
        coalesce(cell_counts.n_uncertain, 0) as n_uncertain,
        coalesce(cell_counts.n_derived, 0) as n_derived,
        coalesce(cell_counts.n_blank, 0) as n_blank,
        coalesce(override_counts.n_reviewed_corrections, 0) as n_reviewed_corrections,
        versions.report_key,
        versions.is_canonical
    from reports
    left join check_counts
        on reports.report_id = check_counts.report_id
    left join cell_counts
        on reports.report_id = cell_counts.report_id
    left join override_counts
        on reports.report_id = override_counts.report_id
    left join versions
        on reports.report_id = versions.report_id

),

graded as (

    select
        *,
        case when n_cells > 0 then n_uncertain / n_cells end as uncertain_share,
        case
            when parse_status = 'table_unread' then 'D'
            when n_cells = 0 then 'D'
            when n_passed + n_failed = 0 then 'D'
            when n_failed_error > 0 or n_uncertain > 0.1 * n_cells or has_unread_pages then 'C'
            when n_failed_warn > 0 or n_uncertain > 0 or n_assessed_error = 0 then 'B'
            else 'A'
        end as quality_grade,
        case
            when parse_status = 'table_unread'
                then 'statistics present, not read: ' || coalesce(parse_note, 'no reason given')
            when n_cells = 0 then 'no statistics were read'
            when n_passed + n_failed = 0 then 'no check could be assessed'
            when n_failed_error > 0 then 'an error-level check fails: ' || failed_checks
            when has_unread_pages
                then 'a page could not be read (OCR): see the parse note and raw.document_pages'
            when n_uncertain > 0.1 * n_cells
                then 'more than 10% of the cells are uncertain readings'
            when n_failed_warn > 0 then 'a soft check fails: ' || failed_checks
            when n_uncertain > 0 then 'some cells are uncertain readings'
            when n_assessed_error = 0 then 'no template identity could be assessed'
            else 'every assessed check passes; every cell read unambiguously'
        end as grade_reason
    from counted

),

final as (

    select
        cast(report_id as varchar) as report_id,
        cast(quality_grade as varchar) as quality_grade,
        cast(grade_reason as varchar) as grade_reason,
        cast(n_checks as bigint) as n_checks,
        cast(n_passed as bigint) as n_passed,
        cast(n_failed as bigint) as n_failed,
        cast(n_not_assessable as bigint) as n_not_assessable,
        cast(n_failed_error as bigint) as n_failed_error,
        cast(n_failed_warn as bigint) as n_failed_warn,
        cast(n_failed_contract as bigint) as n_failed_contract,
        cast(n_failed_instances as bigint) as n_failed_instances,
        cast(failed_checks as varchar) as failed_checks,
        cast(n_cells as bigint) as n_cells,
        cast(n_printed as bigint) as n_printed,
        cast(n_uncertain as bigint) as n_uncertain,
        cast(n_derived as bigint) as n_derived,
        cast(n_blank as bigint) as n_blank,
        cast(uncertain_share as double) as uncertain_share,
        cast(n_reviewed_corrections as bigint) as n_reviewed_corrections,
        cast(source_file as varchar) as source_file,
        cast(report_year as integer) as report_year,
        cast(template as varchar) as template,
        cast(report_key as varchar) as report_key,
        cast(is_canonical as boolean) as is_canonical
    from graded

)

select * from final
