-- The contract's accounting identities per report and instance (see int_check_instances;
-- the further and soft checks are in fct_quality_checks).
-- actual = the lhs sum (the printed total, or new + carried over for t3.balance),
-- expected = the rhs sum (the parts); either is NULL when one of its cells is unusable.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

instances as (

    select * from {{ ref('int_check_instances') }}
    where is_contract
        and {{ report_increment_filter('report_id') }}

),

final as (

    select
        -- contract
        cast(report_id as varchar) as report_id,
        cast(check_code as varchar) as check_code,
        cast(status as varchar) as status,
        cast(expected as double) as expected,
        cast(actual as double) as actual,
        cast(detail as varchar) as detail,

        -- which instance and cells
        cast(instance as varchar) as instance,
        cast(cells as varchar) as cells,
        cast(difference as double) as difference,
        cast(template as varchar) as template,
        cast(evaluated_per as varchar) as evaluated_per,
        cast(n_inputs as bigint) as n_inputs,
        cast(n_unusable as bigint) as n_unusable

    from instances

)

select * from final
