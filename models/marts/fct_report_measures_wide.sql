-- One row per report with a statistics template: the harmonised measures side by side, and
-- the rates analysts ask for. A rate is NULL when its denominator is 0 or missing, or a
-- numerator input is missing (nothing is imputed). Definitions: docs/metrics.md.
-- A report counts once: its canonical version (dim_report.is_canonical), whose report_key
-- names the report.
with

reports as (

    select * from {{ ref('dim_report') }}
    where template <> 'none' and is_canonical

),

measures as (

    select * from {{ ref('fct_harmonised_metrics') }}

),

comparability_rank as (

    select *
    from (
        values
        ('exact', 1),
        ('close', 2),
        ('approximate', 3)
    ) as ranks (comparability, comparability_rank)

),

pivoted as (

    select
        measures.report_id,
        {% for measure in [
            'requests_received', 'requests_granted', 'requests_partial', 'requests_denied',
            'requests_not_held', 'requests_handled', 'reviews_total', 'reviews_corrected',
            'lawsuits_total', 'lawsuits_corrected', 'normative_docs_issued'
        ] %}
            max(measures.value) filter (
                where measures.measure_code = '{{ measure }}'
            ) as {{ measure }},
        {% endfor %}
        arg_max(
            measures.comparability, comparability_rank.comparability_rank
        ) as weakest_comparability,
        count(*) as measure_count
    from measures
    inner join comparability_rank
        on measures.comparability = comparability_rank.comparability
    group by measures.report_id

),

final as (

    select
        cast(reports.report_id as varchar) as report_id,
        cast(reports.region_code as varchar) as region_code,
        cast(reports.region_name as varchar) as region_name,
        cast(reports.province_name as varchar) as province_name,
        cast(reports.report_year as integer) as report_year,
        cast(reports.issuer as varchar) as issuer,
        cast(reports.scope as varchar) as scope,
        cast(reports.template as varchar) as template,
        cast(reports.template_family as varchar) as template_family,

        cast(pivoted.requests_received as bigint) as requests_received,
        cast(pivoted.requests_granted as bigint) as requests_granted,
        cast(pivoted.requests_partial as bigint) as requests_partial,
        cast(pivoted.requests_denied as bigint) as requests_denied,
        cast(pivoted.requests_not_held as bigint) as requests_not_held,
        cast(pivoted.requests_handled as bigint) as requests_handled,
        cast(pivoted.reviews_total as bigint) as reviews_total,
        cast(pivoted.reviews_corrected as bigint) as reviews_corrected,
        cast(pivoted.lawsuits_total as bigint) as lawsuits_total,
        cast(pivoted.lawsuits_corrected as bigint) as lawsuits_corrected,
        cast(pivoted.normative_docs_issued as bigint) as normative_docs_issued,

        cast(case
            when pivoted.requests_handled > 0
                then
                    (pivoted.requests_granted + pivoted.requests_partial)
                    / pivoted.requests_handled
        end as double) as grant_rate,
        cast(case
            when pivoted.requests_handled > 0
                then pivoted.requests_not_held / pivoted.requests_handled
        end as double) as not_held_share,
        cast(case
            when pivoted.reviews_total > 0
                then pivoted.reviews_corrected / pivoted.reviews_total
        end as double) as review_correction_rate,
        cast(case
            when pivoted.lawsuits_total > 0
                then pivoted.lawsuits_corrected / pivoted.lawsuits_total
        end as double) as lawsuit_correction_rate,

        cast(pivoted.weakest_comparability as varchar) as weakest_comparability,
        cast(coalesce(pivoted.measure_count, 0) as bigint) as measure_count,
        cast(reports.failed_check_count as bigint) as failed_check_count,
        cast(reports.report_key as varchar) as report_key,
        cast(reports.version_count as bigint) as version_count
    from reports
    left join pivoted
        on reports.report_id = pivoted.report_id

)

select * from final
