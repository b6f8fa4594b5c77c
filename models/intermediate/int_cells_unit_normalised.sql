-- Cells with their value in the template's unit. Only rows whose template states a
-- convertible unit (万元) are converted, using unit_conversions (e.g. 元 → 万元 × 0.0001);
-- a cell with no printed unit is taken to be in the template unit. Where the template
-- prints no unit (v2019 采购总金额) the number is kept as printed, with its printed unit.
-- Counts (件, 条, 项, …) are never scaled. Cells of retired documents are left out.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('document_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

cells as (

    select * from {{ ref('stg_cells') }}
    where
        document_id in (select report_id from {{ ref('int_reports') }})
        and {{ report_increment_filter('document_id') }}

),

template_metrics as (

    select * from {{ ref('int_template_metrics') }}

),

unit_conversions as (

    select * from {{ ref('unit_conversions') }}

),

metric_units as (

    select
        metric_code,
        max(unit) as template_unit,
        bool_or(is_unit_unspecified) as is_unit_unspecified
    from template_metrics
    group by metric_code

),

convertible_units as (

    select distinct to_unit
    from unit_conversions

),

joined as (

    select
        cells.*,
        metric_units.template_unit,
        coalesce(metric_units.is_unit_unspecified, false) as is_unit_unspecified,
        convertible_units.to_unit is not null as is_convertible,
        unit_conversions.factor
    from cells
    left join metric_units
        on cells.metric_code = metric_units.metric_code
    left join convertible_units
        on metric_units.template_unit = convertible_units.to_unit
    left join unit_conversions
        on
            cells.unit_text = unit_conversions.from_unit
            and metric_units.template_unit = unit_conversions.to_unit

),

final as (

    select
        document_id,
        parser_version,
        section,
        metric_code,
        applicant,
        row_label,
        raw_text,
        value_text,
        value as printed_value,
        case
            when value is not null and factor is not null and factor <> 1
                then round(value * factor, 10)
            else value
        end as value,
        unit_text,
        case
            when is_unit_unspecified then unit_text
            else coalesce(template_unit, unit_text)
        end as unit,
        case
            when is_unit_unspecified then 'as_printed'
            when not is_convertible then 'none'
            when unit_text is null then 'none'
            when factor is null then 'unknown_unit'
            when factor <> 1 then 'converted'
            else 'none'
        end as unit_conversion,
        factor as unit_factor,
        value_status,
        source_line,
        match_method,
        match_score,
        alternatives,
        {{ cell_provenance_columns() }}
    from joined

)

select * from final
