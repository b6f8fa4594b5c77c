-- Files that could not be landed, with the reason.
with

source as (

    select * from {{ source('raw', 'quarantine') }}

),

renamed as (

    select
        source_path,
        source_file,
        cast(size_bytes as bigint) as size_bytes,
        sha256,
        reason,
        cast(quarantined_at as timestamp) as quarantined_at
    from source

)

select * from renamed
