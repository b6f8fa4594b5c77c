-- Every reviewed choice of a report's canonical version: the rows of
-- seeds/canonical_choices.csv (kept with the project) and the pins of the reviews store
-- (stg_review_pins, entered in `xxgk review`), in the seed's format. int_report_versions
-- keeps, per report, the pin whose chosen document is one of its versions: a store's pin
-- before a seed's (pin_order), then the latest.
with

seeded as (

    select
        report,
        chosen_report_id,
        reason,
        reviewed_by,
        cast(reviewed_at as timestamp) as reviewed_at,
        'seeds/canonical_choices.csv' as pin_source,
        cast(null as varchar) as review_id,
        1 as pin_order
    from {{ ref('canonical_choices') }}

),

stored as (

    select
        report,
        chosen_report_id,
        reason,
        reviewed_by,
        reviewed_at,
        'reviews store' as pin_source,
        review_id,
        0 as pin_order
    from {{ ref('stg_review_pins') }}

),

final as (

    select * from seeded
    union all
    select * from stored

)

select * from final
