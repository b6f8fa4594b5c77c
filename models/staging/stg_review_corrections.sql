-- The values reviewers established for cells (raw.review_corrections, the reviews store
-- as the run copied it), typed. Append-only: every action is a row; int_reviewed_corrections
-- keeps the latest per cell (with seeds/overrides.csv).
with

source as (

    select * from {{ source('raw', 'review_corrections') }}

),

renamed as (

    select
        review_id,
        report_id,
        metric_code,
        applicant,
        cast(corrected_value as double) as corrected_value,
        reason,
        trim(reviewed_by) as reviewed_by,
        cast(reviewed_at as timestamp) as reviewed_at
    from source

)

select * from renamed
