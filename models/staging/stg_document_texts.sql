-- The extracted text of each landed document (raw.documents.text), for the models that
-- read it (int_text_checks, int_report_fingerprints: macros/report_texts.sql). Lines are
-- `\n`-separated (the extractors normalise every line break), so line n of the text is
-- text.splitlines()[n - 1].
with

source as (

    select * from {{ source('raw', 'documents') }}

),

renamed as (

    select
        document_id,
        text
    from source

)

select * from renamed
