-- One row per metric code: the national template rows (label of the most recent template
-- that has it), plus any local.* code a report used. unit is the template unit without
-- parentheses (NULL for group rows and where the template leaves the unit to the cell).
with

template_metrics as (

    select * from {{ ref('int_template_metrics') }}

),

metric_names as (

    select * from {{ ref('metric_names') }}

),

harmonisation_map as (

    select * from {{ ref('harmonisation_map') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}

),

template_order as (

    select *
    from (
        values
        ('old', 1),
        ('local', 2),
        ('v2019', 3),
        ('hybrid', 4),
        ('v2021', 5)
    ) as orders (template, template_rank)

),

national as (

    select
        template_metrics.metric_code,
        arg_max(template_metrics.label_zh, template_order.template_rank) as label_zh,
        max(template_metrics.unit) as unit,
        arg_max(template_metrics.unit_printed, template_order.template_rank) as unit_printed,
        array_to_string(
            list_sort(list_distinct(list(template_metrics.template))), ' '
        ) as templates,
        any_value(template_metrics.section) as section,
        arg_max(template_metrics.section_label, template_order.template_rank) as section_label,
        arg_max(template_metrics.parent, template_order.template_rank) as parent,
        bool_or(template_metrics.is_value_row) as is_value_row,
        bool_or(template_metrics.is_signed) as is_signed
    from template_metrics
    inner join template_order
        on template_metrics.template = template_order.template
    group by template_metrics.metric_code

),

local_label_counts as (

    select
        metric_code,
        row_label,
        unit,
        count(*) as n_cells
    from metrics
    where metric_code not in (select metric_code from national)
    group by metric_code, row_label, unit

),

most_printed_local as (

    -- per local code, the label and unit printed most often (ties: alphabetical)
    select *
    from local_label_counts
    qualify row_number() over (
            partition by metric_code
            order by n_cells desc, row_label asc nulls last, unit asc nulls last
        ) = 1

),

observed_local as (

    select
        metric_code,
        coalesce(row_label, metric_code) as label_zh,
        unit,
        cast(null as varchar) as unit_printed,
        'local' as templates,
        'local' as section,
        cast(null as varchar) as section_label,
        cast(null as varchar) as parent,
        true as is_value_row,
        false as is_signed
    from most_printed_local

),

all_metrics as (

    select * from national
    union all
    select * from observed_local

),

quantities as (

    -- what a metric's unit measures, from the seeds that declare the units: counts
    -- (seeds/count_units.csv) and amounts (the template units of seeds/unit_conversions.csv)
    select
        unit,
        'count' as quantity
    from {{ ref('count_units') }}
    union all
    select distinct
        to_unit as unit,
        'amount' as quantity
    from {{ ref('unit_conversions') }}

),

measures_per_metric as (

    select
        metric_code,
        array_to_string(list_sort(list_distinct(list(measure_code))), ' ') as harmonised_measures,
        array_to_string(
            list_sort(list_distinct(list(comparability))), ' '
        ) as harmonisation_level
    from harmonisation_map
    group by metric_code

),

final as (

    select
        cast(all_metrics.metric_code as varchar) as metric_code,
        cast(all_metrics.label_zh as varchar) as label_zh,
        cast(metric_names.name_en as varchar) as name_en,
        cast(all_metrics.unit as varchar) as unit,
        cast(all_metrics.templates as varchar) as templates,
        cast(all_metrics.section as varchar) as section,
        cast(all_metrics.parent as varchar) as parent,
        cast(measures_per_metric.harmonised_measures as varchar) as harmonised_measures,
        cast(measures_per_metric.harmonisation_level as varchar) as harmonisation_level,
        cast(all_metrics.section_label as varchar) as section_label,
        cast(all_metrics.unit_printed as varchar) as unit_printed,
        cast(all_metrics.is_value_row as boolean) as is_value_row,
        cast(all_metrics.is_signed as boolean) as is_signed,
        cast(quantities.quantity as varchar) as quantity
    from all_metrics
    left join metric_names
        on all_metrics.metric_code = metric_names.metric_code
    left join measures_per_metric
        on all_metrics.metric_code = measures_per_metric.metric_code
    left join quantities
        on all_metrics.unit = quantities.unit

)

select * from final
