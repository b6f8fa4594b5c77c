-- Row labels the parser read inside a statistics table but could not map to a metric code.
with

source as (

    select * from {{ source('raw', 'unmapped_labels') }}

),

renamed as (

    select
        document_id,
        lower(trim(section)) as section,
        row_label,
        normalised_label,
        cast(source_line as integer) as source_line,
        nullif(trim(best_code), '') as best_code,
        cast(best_score as double) as best_score
    from source

)

select * from renamed
