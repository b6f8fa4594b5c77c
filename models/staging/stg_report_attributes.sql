-- Report-level attributes read by the parser, one row per parsed document.
with

source as (

    select * from {{ source('raw', 'report_attributes') }}

),

renamed as (

    select
        -- ids
        document_id,
        parser_version,

        -- report
        nullif(trim(title), '') as title,
        cast(title_line as integer) as title_line,
        nullif(trim(issuer), '') as issuer,
        nullif(trim(region_name), '') as region_name,
        nullif(trim(region_code), '') as region_code,
        nullif(lower(trim(scope)), '') as scope,
        cast(report_year as integer) as report_year,
        coalesce(nullif(lower(trim(template)), ''), 'none') as template,

        -- parse outcome
        lower(trim(parse_status)) as parse_status,
        parse_note,
        nullif(trim(attribute_sources), '') as attribute_sources

    from source

)

select * from renamed
