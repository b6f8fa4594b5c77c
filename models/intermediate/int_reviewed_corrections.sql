-- The reviewed value of each corrected cell: the corrections of seeds/overrides.csv (kept
-- with the project) and of the reviews store (stg_review_corrections, entered in
-- `xxgk review`), the latest per cell (report, metric, applicant). A seed row and a store
-- row of the same time: the store's wins. A store row without a value withdraws the
-- correction: the cell is as printed again, and is left out here.
with

seeded as (

    select
        report_id,
        metric_code,
        applicant,
        corrected_value,
        reason,
        reviewed_by,
        cast(reviewed_at as timestamp) as reviewed_at,
        'seeds/overrides.csv' as review_source,
        cast(null as varchar) as review_id,
        0 as source_order
    from {{ ref('overrides') }}

),

stored as (

    select
        report_id,
        metric_code,
        applicant,
        corrected_value,
        reason,
        reviewed_by,
        reviewed_at,
        'reviews store' as review_source,
        review_id,
        1 as source_order
    from {{ ref('stg_review_corrections') }}

),

latest as (

    select *
    from (
        select * from seeded
        union all
        select * from stored
    )
    qualify row_number() over (
        partition by report_id, metric_code, applicant
        order by reviewed_at desc, source_order desc, review_id desc
    ) = 1

),

final as (

    select
        report_id,
        metric_code,
        applicant,
        corrected_value,
        reason,
        reviewed_by,
        reviewed_at,
        review_source,
        review_id
    from latest
    where corrected_value is not null

)

select * from final
