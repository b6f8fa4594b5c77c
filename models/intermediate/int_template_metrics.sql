-- The rows each report template carries, one row per (template, metric_code):
-- old, v2019 and v2021 as listed in template_rows; hybrid = table 二 of v2021 with
-- tables 三/四 of v2019 (single （六）其他处理 row); local = the old rows (local forms are
-- mapped to old.* codes where the meaning is equal, the rest become local.* codes).
with

template_rows as (

    select * from {{ ref('template_rows') }}

),

national as (

    select
        template,
        metric_code,
        section as section_label,
        label,
        unit,
        parent
    from template_rows

),

hybrid as (

    select
        'hybrid' as template,
        metric_code,
        section_label,
        label,
        unit,
        parent
    from national
    where
        (template = 'v2021' and metric_code like 't2.%')
        or (template = 'v2019' and (metric_code like 't3.%' or metric_code like 't4.%'))

),

local_form as (

    select
        'local' as template,
        metric_code,
        section_label,
        label,
        unit,
        parent
    from national
    where template = 'old'

),

unioned as (

    select * from national
    union all
    select * from hybrid
    union all
    select * from local_form

),

final as (

    select
        template,
        metric_code,
        case
            when metric_code like 'old.%' then 'old'
            else split_part(metric_code, '.', 1)
        end as section,
        section_label,
        label as label_zh,
        unit as unit_printed,
        case
            when unit is null or unit like '(unspecified%' then null
            else trim(regexp_replace(regexp_replace(unit, '^\(|\)$', '', 'g'), ';.*$', ''))
        end as unit,
        unit is not null as is_value_row,
        coalesce(unit like '%signed%', false) as is_signed,
        coalesce(unit like '(unspecified%', false) as is_unit_unspecified,
        parent
    from unioned

)

select * from final
