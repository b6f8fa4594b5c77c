-- One row per landed document with its parsed attributes. A document the parser has not
-- described (no raw.report_attributes row) is kept, with template `none` and
-- parse_status `not_parsed`. Should the parser ever write two attribute rows for one
-- document, the one with the greatest parser_version is used. Retired documents
-- (`xxgk retire`, or superseded by a new version of their file) and documents held back
-- (raw.held_back) are left out: they stay in raw.documents and stg_documents.
with

documents as (

    select * from {{ ref('stg_documents') }}
    where not is_retired
      and document_id not in (select document_id from {{ source('raw', 'held_back') }})

),

attributes as (

    select * from {{ ref('stg_report_attributes') }}

),

latest_attributes as (

    select *
    from attributes
    qualify row_number() over (
        partition by document_id
        order by parser_version desc nulls last, title nulls last, template
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
        documents.size_bytes,
        documents.sha256,
        documents.text_chars,
        documents.landed_at
    from documents
    left join latest_attributes
        on documents.document_id = latest_attributes.document_id

)

select * from joined
