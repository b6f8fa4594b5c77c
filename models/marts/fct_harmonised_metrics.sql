-- Comparable measures across the 2019 template break, one row per report and measure
-- (computed in int_harmonised_metrics; seeds/harmonisation_map.csv, docs/metrics.md).
-- A report counts once: the measures of its canonical version only (int_report_versions;
-- int_harmonised_metrics keeps every document's). Incremental: the rows of every version of
-- a changed report are replaced, as a new version can displace the canonical one.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id', versions=true) }}"
    )
}}
with

{{ changed_versions_cte() }},

measures as (

    -- every harmonised measure counts (dim_metric.quantity, tested there): a whole number,
    -- BIGINT; a sum that is not whole holds a misread count (cell.whole_number fails on its
    -- cell, fct_report_metrics keeps it) and is not emitted, as when an input is missing
    select * from {{ ref('int_harmonised_metrics') }}
    where
        {{ report_increment_filter('report_id', 'changed_versions') }}
        and report_id in ({{ canonical_reports_sql() }})
        and value = trunc(value)

),

final as (

    select
        -- contract
        cast(report_id as varchar) as report_id,
        cast(measure_code as varchar) as measure_code,
        cast(value as bigint) as value,
        cast(comparability as varchar) as comparability,
        cast(derived_from as varchar) as derived_from,

        -- extras
        cast(template as varchar) as template,
        cast(template_family as varchar) as template_family,
        cast(n_inputs as bigint) as n_inputs,
        cast(input_status as varchar) as input_status

    from measures

)

select * from final
