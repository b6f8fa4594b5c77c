-- One row per landed document (distinct file content). The extracted text stays in raw;
-- only its length is carried here.
with

source as (

    select * from {{ source('raw', 'documents') }}

),

renamed as (

    select
        -- ids
        document_id,
        sha256,

        -- file
        source_file,
        source_path,
        lower(trim(media_type)) as media_type,
        nullif(lower(trim(encoding)), '') as encoding,
        cast(size_bytes as bigint) as size_bytes,

        -- extraction
        lower(trim(extraction_status)) as extraction_status,
        -- how the text was read, for choosing among versions of one report
        -- (int_report_versions: a text layer beats OCR): `ocr` when a page was OCR'd (the
        -- engine is recorded), `none` when a scan was left unread
        case
            when lower(trim(extraction_status)) = 'needs_ocr' then 'none'
            when nullif(trim(ocr_engine), '') is not null then 'ocr'
            else 'text_layer'
        end as text_source,
        extractor_version,
        cast(length(text) as bigint) as text_chars,

        -- timestamps
        cast(landed_at as timestamp) as landed_at,

        -- retirement (`xxgk retire`): the document is kept but no longer reported
        cast(retired_at as timestamp) as retired_at,
        nullif(trim(retired_reason), '') as retired_reason,
        retired_at is not null as is_retired

    from source

)

select * from renamed
