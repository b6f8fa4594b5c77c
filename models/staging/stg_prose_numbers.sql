-- Numbers the report's own text states for key measures (raw.prose_numbers), typed.
-- One row per mention; `mention` ('L<line>', with '#n' for the n-th mention of the same
-- measure on one line) names it within its report and measure.
with

source as (

    select * from {{ source('raw', 'prose_numbers') }}

),

renamed as (

    select
        document_id,
        extractor_version,
        lower(trim(measure)) as measure,
        value_text,
        cast(value_text as double) as value,
        cast(approximate as boolean) as is_approximate,
        lower(trim(subject)) as subject,
        cast(source_line as integer) as source_line,
        cast(occurrence as integer) as occurrence,
        'L' || source_line || case when occurrence > 1 then '#' || occurrence else '' end
            as mention,
        phrase,
        context
    from source

)

select * from renamed
