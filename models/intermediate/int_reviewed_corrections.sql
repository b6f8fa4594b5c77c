-- The reviewed value of each corrected cell: the corrections of seeds/overrides.csv (kept
-- with the project) and of the reviews store (stg_review_corrections, entered in
-- `xxgk review`), the latest per cell (report, metric, applicant). A seed row and a store
-- row of the same time: the store's wins. A store row without a value withdraws the
-- correction: the cell is as printed again, and is left out here.
with

reviews as (

    {{ seed_and_store(
        'overrides', 'stg_review_corrections',
        ['report_id', 'metric_code', 'applicant', 'corrected_value', 'reason', 'reviewed_by'],
        source_column='review_source', order_column='source_order', seed_order=0, store_order=1
    ) }}

),

latest as (

    select *
    from reviews
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
