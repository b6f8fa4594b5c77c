-- Comparable measures across the 2019 template break, one row per report and measure.
-- A measure is the sum of its input metrics (applicant `total`) as mapped in
-- seeds/harmonisation_map.csv for the report's template, and is emitted only when every
-- input is present with a value. Nothing is imputed. Published as fct_harmonised_metrics;
-- int_cross_level_checks compares them between a region and its sub-regions.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

harmonisation_map as (

    select * from {{ ref('harmonisation_map') }}

),

reports as (

    select * from {{ ref('int_reports') }}
    where {{ report_increment_filter('report_id') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}
    where applicant = 'total'
        and {{ report_increment_filter('report_id') }}

),

map_per_template as (

    select
        measure_code,
        template_family,
        metric_code,
        comparability,
        unnest(string_split(templates, ' ')) as template
    from harmonisation_map

),

inputs as (

    select
        reports.report_id,
        map_per_template.measure_code,
        map_per_template.template,
        map_per_template.template_family,
        map_per_template.comparability,
        map_per_template.metric_code,
        metrics.value,
        metrics.value_status
    from reports
    inner join map_per_template
        on reports.template = map_per_template.template
    left join metrics
        on
            reports.report_id = metrics.report_id
            and map_per_template.metric_code = metrics.metric_code

),

measures as (

    select
        report_id,
        measure_code,
        sum(value) as value,
        any_value(comparability) as comparability,
        string_agg(metric_code, ' + ' order by metric_code) as derived_from,
        any_value(template) as template,
        any_value(template_family) as template_family,
        count(*) as n_inputs,
        case
            when bool_and(value_status = 'printed') then 'printed'
            when bool_or(value_status = 'uncertain') then 'uncertain'
            else 'derived'
        end as input_status
    from inputs
    group by report_id, measure_code
    having count(value) = count(*)

)

select * from measures
