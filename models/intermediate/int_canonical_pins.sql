-- Every reviewed choice of a report's canonical version: the rows of
-- seeds/canonical_choices.csv (kept with the project) and the pins of the reviews store
-- (stg_review_pins, entered in `xxgk review`), in the seed's format. int_report_versions
-- keeps, per report, the pin whose chosen document is one of its versions: a store's pin
-- before a seed's (pin_order), then the latest.
with

final as (

    {{ seed_and_store(
        'canonical_choices', 'stg_review_pins',
        ['report', 'chosen_report_id', 'reason', 'reviewed_by'],
        source_column='pin_source', order_column='pin_order', seed_order=1, store_order=0
    ) }}

)

select * from final
