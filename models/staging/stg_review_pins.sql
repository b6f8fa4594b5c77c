-- The canonical versions reviewers chose (raw.review_pins, the reviews store as the run
-- copied it), typed and named as seeds/canonical_choices.csv names them: the report (here
-- always by the report_id of one of its versions), the version chosen, why, who, when.
-- Append-only; int_canonical_pins puts them beside the seed's.
with

source as (

    select * from {{ source('raw', 'review_pins') }}

),

renamed as (

    select
        review_id,
        report_id as report,
        chosen_report_id,
        reason,
        trim(reviewed_by) as reviewed_by,
        cast(reviewed_at as timestamp) as reviewed_at
    from source

)

select * from renamed
