-- Which series of yearly reports each annual report belongs to, for the checks across
-- years and the coverage mart: int_reports.series_key (a region's aggregate reports form one
-- series per region code; other reports one per scope, region and issuer). A report counts
-- once: only its canonical document (int_report_versions) is in a series, so a second
-- rendering or a re-publication is never compared with its own report as the year before.
with

reports as (

    select * from {{ ref('int_reports') }}
    where series_key is not null

),

canonical as (

    {{ canonical_reports_sql() }}

),

final as (

    select
        reports.series_key,
        reports.report_id,
        reports.report_year,
        reports.template,
        coalesce(reports.scope, 'unknown') as scope,
        reports.region_code,
        case
            when coalesce(reports.scope, 'unknown') <> 'aggregate' or reports.region_code is null
                then reports.issuer
        end as series_issuer
    from reports
    inner join canonical
        on reports.report_id = canonical.report_id

)

select * from final
