-- The applicant columns of table 三, plus `total` (the only applicant of other metrics).
with

applicants as (

    select * from {{ ref('applicants') }}

),

final as (

    select
        cast(applicant as varchar) as applicant,
        cast(label_zh as varchar) as label_zh,
        cast(name_en as varchar) as name_en,
        cast(applicant_group as varchar) as applicant_group,
        cast(sort_order as integer) as sort_order
    from applicants

)

select * from final
