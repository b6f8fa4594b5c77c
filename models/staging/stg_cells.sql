-- One row per statistic cell read by the parser, typed: value_text becomes a double
-- (thousands separators and a leading + removed), units and statuses are trimmed and
-- lower-cased. A blank cell never has a value.
with

source as (

    select * from {{ source('raw', 'cells') }}

),

renamed as (

    select
        -- ids
        document_id,
        parser_version,

        -- what the cell is
        lower(trim(section)) as section,
        trim(metric_code) as metric_code,
        lower(trim(applicant)) as applicant,
        row_label,

        -- what was printed
        raw_text,
        nullif(regexp_replace(value_text, '^[\s\x{3000}]+|[\s\x{3000}]+$', '', 'g'), '')
            as value_text,
        nullif(regexp_replace(unit_text, '^[\s\x{3000}]+|[\s\x{3000}]+$', '', 'g'), '')
            as unit_text,
        lower(trim(value_status)) as value_status,

        -- provenance
        cast(source_line as integer) as source_line,
        lower(trim(match_method)) as match_method,
        cast(match_score as double) as match_score,
        nullif(trim(alternatives), '') as alternatives,
        cast(source_column as integer) as source_column,
        cast(source_page as integer) as source_page,
        cast(ocr_x0 as double) as ocr_x0,
        cast(ocr_y0 as double) as ocr_y0,
        cast(ocr_x1 as double) as ocr_x1,
        cast(ocr_y1 as double) as ocr_y1,
        nullif(trim(ocr_engine), '') as ocr_engine,
        cast(ocr_confidence as double) as ocr_confidence

    from source

),

typed as (

    select
        document_id,
        parser_version,
        section,
        metric_code,
        applicant,
        row_label,
        raw_text,
        value_text,
        case
            when value_status = 'blank' then null
            else try_cast(regexp_replace(value_text, '[,，+\s\x{3000}]', '', 'g') as double)
        end as value,
        unit_text,
        value_status,
        source_line,
        match_method,
        match_score,
        alternatives,
        source_column,
        source_page,
        ocr_x0,
        ocr_y0,
        ocr_x1,
        ocr_y1,
        ocr_engine,
        ocr_confidence
    from renamed

)

select * from typed
