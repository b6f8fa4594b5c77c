-- One row per ingested document: the contract columns first, then provenance and
-- parse outcome, the division the region code points to, per-report counts, and the report
-- the document is a version of (int_report_versions): report_key, whether it is the
-- canonical version, and why.
with

reports as (

    select * from {{ ref('int_reports') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}

),

checks as (

    select * from {{ ref('int_check_instances') }}

),

versions as (

    select * from {{ ref('int_report_versions') }}

),

metric_counts as (

    select
        report_id,
        count(*) as cell_count,
        count(*) filter (where value_status = 'printed') as printed_cell_count
    from metrics
    group by report_id

),

check_counts as (

    select
        report_id,
        count(distinct check_code) filter (where status = 'fail') as failed_check_count
    from checks
    where is_contract
    group by report_id

),

final as (

    select
        -- contract
        cast(reports.report_id as varchar) as report_id,
        cast(reports.source_file as varchar) as source_file,
        cast(reports.title as varchar) as title,
        cast(reports.issuer as varchar) as issuer,
        cast(reports.region_code as varchar) as region_code,
        cast(reports.region_name as varchar) as region_name,
        cast(reports.scope as varchar) as scope,
        cast(reports.report_year as integer) as report_year,
        cast(reports.template as varchar) as template,

        -- report details
        cast(reports.title_line as integer) as title_line,
        cast(reports.template_family as varchar) as template_family,
        cast(reports.parse_status as varchar) as parse_status,
        cast(reports.parse_note as varchar) as parse_note,
        cast(reports.attribute_sources as varchar) as attribute_sources,
        cast(reports.parser_version as varchar) as parser_version,

        -- region the code points to
        cast(regions.name as varchar) as region_division_name,
        cast(regions.level as varchar) as region_level,
        cast(regions.province_code as varchar) as province_code,
        cast(regions.province_name as varchar) as province_name,

        -- file
        cast(reports.source_path as varchar) as source_path,
        cast(reports.media_type as varchar) as media_type,
        cast(reports.encoding as varchar) as encoding,
        cast(reports.extraction_status as varchar) as extraction_status,
        cast(reports.size_bytes as bigint) as size_bytes,
        cast(reports.sha256 as varchar) as sha256,
        cast(reports.landed_at as timestamp) as landed_at,

        -- counts
        cast(coalesce(metric_counts.cell_count, 0) as bigint) as cell_count,
        cast(coalesce(metric_counts.printed_cell_count, 0) as bigint) as printed_cell_count,
        cast(coalesce(check_counts.failed_check_count, 0) as bigint) as failed_check_count,

        -- the report this document is a version of
        cast(versions.report_key as varchar) as report_key,
        cast(versions.is_canonical as boolean) as is_canonical,
        cast(versions.canonical_report_id as varchar) as canonical_report_id,
        cast(versions.version_count as bigint) as version_count,
        cast(versions.version_rank as bigint) as version_rank,
        cast(versions.version_rule as varchar) as version_rule,
        cast(versions.version_reason as varchar) as version_reason,
        cast(versions.statistics_fingerprint as varchar) as statistics_fingerprint,
        cast(versions.text_source as varchar) as text_source,
        cast(versions.is_correction as boolean) as is_correction,
        cast(versions.published_on as date) as published_on

    from reports
    left join regions
        on reports.region_code = regions.code
    left join metric_counts
        on reports.report_id = metric_counts.report_id
    left join check_counts
        on reports.report_id = check_counts.report_id
    left join versions
        on reports.report_id = versions.report_id

)

select * from final
