-- The reviewers' verdicts on failing check instances (raw.review_verdicts, the reviews
-- store as the run copied it), typed. Append-only: every action is a row;
-- int_check_verdicts keeps the latest per instance.
with

source as (

    select * from {{ source('raw', 'review_verdicts') }}

),

renamed as (

    select
        review_id,
        report_id,
        check_code,
        instance,
        related_report_id,
        lower(trim(verdict)) as verdict,
        reason,
        trim(reviewed_by) as reviewed_by,
        cast(reviewed_at as timestamp) as reviewed_at
    from source

)

select * from renamed
