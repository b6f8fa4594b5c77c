-- One row per landed document with its parsed attributes. A document the parser has not
-- described (no raw.report_attributes row) is kept, with template `none` and
-- parse_status `not_parsed`. Should the parser ever write two attribute rows for one
-- document, the one with the greatest parser_version is used. Retired documents
-- (`xxgk retire`, or superseded by a new version of their file) and documents held back
-- (raw.held_back) are left out: they stay in raw.documents and stg_documents.
-- The report's identity, declared here once: issuer_key, the issuer without the names of
-- the provinces and cities above the report's region (淮安市洪泽区人民政府 and
-- 洪泽区人民政府 are one issuer), and series_key, the series of yearly reports the document
-- belongs to: a region's aggregate reports form one series per region code (issuers are
-- printed inconsistently), other reports one per scope, region and issuer. Documents that
-- are not annual reports (not_a_report, not_parsed), have no year, or are agency reports
-- without an issuer have none. int_report_series and int_report_versions read them.
with

documents as (

    select * from {{ ref('stg_documents') }}
    where not is_retired
        and document_id not in (select document_id from {{ source('raw', 'held_back') }})

),

attributes as (

    select * from {{ ref('stg_report_attributes') }}

),

regions as (

    select * from {{ ref('regions') }}

),

latest_attributes as (

    select *
    from attributes
    qualify row_number() over (
            partition by document_id
            order by parser_version desc nulls last, title asc nulls last, template asc
        ) = 1

),

joined as (

    select
        documents.document_id as report_id,
        documents.source_file,
        latest_attributes.title,
        latest_attributes.issuer,
        latest_attributes.region_code,
        latest_attributes.region_name,
        latest_attributes.scope,
        latest_attributes.report_year,
        coalesce(latest_attributes.template, 'none') as template,
        case
            when latest_attributes.template in ('old', 'local') then 'old'
            when latest_attributes.template in ('v2019', 'v2021', 'hybrid') then 'new'
        end as template_family,
        latest_attributes.title_line,
        coalesce(latest_attributes.parse_status, 'not_parsed') as parse_status,
        latest_attributes.parse_note,
        latest_attributes.attribute_sources,
        latest_attributes.parser_version,
        documents.source_path,
        documents.media_type,
        documents.encoding,
        documents.extraction_status,
        documents.extractor_version,
        documents.text_source,
        documents.size_bytes,
        documents.sha256,
        documents.text_chars,
        documents.landed_at,
        -- the names above the region, which some issuers print and others leave out
        case when provinces.code <> latest_attributes.region_code then provinces.name end
            as province_prefix,
        case
            when
                cities.code <> latest_attributes.region_code
                and cities.name not in ('市辖区', '县')
                then cities.name
        end as city_prefix
    from documents
    left join latest_attributes
        on documents.document_id = latest_attributes.document_id
    left join regions as provinces
        on substr(latest_attributes.region_code, 1, 2) || '0000' = provinces.code
    left join regions as cities
        on substr(latest_attributes.region_code, 1, 4) || '00' = cities.code

),

issuers as (

    select
        * exclude (province_prefix, city_prefix),
        regexp_replace(issuer, '[\s\x{3000}]+', '', 'g') as issuer_compact,
        province_prefix,
        city_prefix
    from joined

),

without_province as (

    select
        * exclude (issuer_compact),
        case
            when starts_with(issuer_compact, province_prefix)
                then substr(issuer_compact, length(province_prefix) + 1)
            else issuer_compact
        end as issuer_compact
    from issuers

),

keyed as (

    select
        * exclude (issuer_compact, province_prefix, city_prefix),
        nullif(
            case
                when starts_with(issuer_compact, city_prefix)
                    then substr(issuer_compact, length(city_prefix) + 1)
                else issuer_compact
            end,
            ''
        ) as issuer_key
    from without_province

),

final as (

    select
        *,
        case
            when
                parse_status not in ('parsed', 'table_unread', 'no_table')
                or report_year is null
                then null
            when scope = 'aggregate' and region_code is not null
                then 'aggregate:' || region_code
            when issuer_key is not null
                then coalesce(scope, 'unknown')
                    || ':'
                    || coalesce(region_code, '-')
                    || ':'
                    || issuer_key
        end as series_key
    from keyed

)

select * from final
