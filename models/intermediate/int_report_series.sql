-- Which series of yearly reports each annual report belongs to, for the checks across
-- years and the coverage mart. A region's aggregate reports form one series per region code
-- (issuers are printed inconsistently: 洪泽区人民政府 / 淮安市洪泽区人民政府); an agency's
-- reports, or reports without a region code, form one series per scope, region and issuer
-- as printed. Documents that are not annual reports (not_a_report, not_parsed) or have no
-- year, and agency reports without an issuer, belong to no series.
with

reports as (

    select * from {{ ref('int_reports') }}
    where
        parse_status in ('parsed', 'table_unread', 'no_table')
        and report_year is not null

),

keyed as (

    select
        report_id,
        report_year,
        template,
        coalesce(scope, 'unknown') as scope,
        region_code,
        issuer,
        case
            when scope = 'aggregate' and region_code is not null
                then 'aggregate:' || region_code
            when issuer is not null
                then coalesce(scope, 'unknown') || ':' || coalesce(region_code, '-') || ':' || issuer
        end as series_key
    from reports

),

final as (

    select
        series_key,
        report_id,
        report_year,
        template,
        scope,
        region_code,
        case when scope <> 'aggregate' or region_code is null then issuer end as series_issuer
    from keyed
    where series_key is not null

)

select * from final
