-- One row per series of yearly reports (int_report_series: a region's aggregate reports, or
-- one issuer's) and year from its first to its last report: which reports cover the year,
-- and is_missing where none does, so a gap in a series is visible.
with

series as (

    select * from {{ ref('int_report_series') }}

),

regions as (

    select * from {{ ref('regions') }}

),

spans as (

    select
        series_key,
        any_value(scope) as scope,
        any_value(region_code) as region_code,
        any_value(series_issuer) as issuer,
        min(report_year) as first_year,
        max(report_year) as last_year,
        count(distinct report_year) as n_years_covered
    from series
    group by series_key

),

years as (

    select
        spans.*,
        unnest(range(spans.first_year, spans.last_year + 1)) as report_year
    from spans

),

reports_per_year as (

    select
        series_key,
        report_year,
        count(*) as n_reports,
        string_agg(report_id, ', ' order by report_id) as report_ids,
        string_agg(distinct template, ', ' order by template) as templates
    from series
    group by series_key, report_year

),

final as (

    select
        cast(years.series_key as varchar) as series_key,
        cast(years.report_year as integer) as report_year,
        cast(coalesce(reports_per_year.n_reports, 0) = 0 as boolean) as is_missing,
        cast(coalesce(reports_per_year.n_reports, 0) as bigint) as n_reports,
        cast(reports_per_year.report_ids as varchar) as report_ids,
        cast(reports_per_year.templates as varchar) as templates,
        cast(years.scope as varchar) as scope,
        cast(years.region_code as varchar) as region_code,
        cast(regions.name as varchar) as region_name,
        cast(years.issuer as varchar) as issuer,
        cast(years.first_year as integer) as first_year,
        cast(years.last_year as integer) as last_year,
        cast(years.n_years_covered as bigint) as n_years_covered
    from years
    left join reports_per_year
        on
            years.series_key = reports_per_year.series_key
            and years.report_year = reports_per_year.report_year
    left join regions
        on years.region_code = regions.code

)

select * from final
