-- GB/T 2260 divisions with their parent and province, and the report names mapped to them.
with

regions as (

    select * from {{ ref('regions') }}

),

region_aliases as (

    select * from {{ ref('region_aliases') }}

),

aliases_per_code as (

    select
        code,
        string_agg(alias, '; ' order by alias) as aliases
    from region_aliases
    group by code

),

final as (

    select
        regions.code,
        regions.name,
        regions.level,
        regions.parent_code,
        parents.name as parent_name,
        provinces.code as province_code,
        provinces.name as province_name,
        aliases_per_code.aliases
    from regions
    left join regions as parents
        on regions.parent_code = parents.code
    left join regions as provinces
        on substr(regions.code, 1, 2) || '0000' = provinces.code
    left join aliases_per_code
        on regions.code = aliases_per_code.code

)

select * from final
