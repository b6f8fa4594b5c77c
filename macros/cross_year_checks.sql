{#- The checks across years as CTEs, on any cells: the caller's `with` first defines the
    CTEs `series` (int_report_series rows) and `metrics` (int_report_metrics rows of the
    reports of the pairs checked), then calls this macro with `pair_filter`, a condition on
    the two reports of a pair (`this_year`, `previous_year`), and selects from `final`.
    int_cross_year_checks calls it on the printed cells, int_quality_checks_reviewed on the
    reviewed ones. One instance per report, check, applicant column or table-二 row, and
    previous report (related_report_id); both reports must have a template the check lists
    (seeds/cross_year_checks.csv). Evaluated by evaluate_check_terms.
-#}
{% macro cross_year_check_ctes(pair_filter) %}

cross_year_checks as (

    select * from {{ ref('cross_year_checks') }}

),

applicants as (

    select * from {{ ref('applicants') }}

),

check_terms as (

    select
        check_code,
        evaluated_per,
        instance,
        side,
        position,
        sign,
        report,
        metric_code,
        applicant,
        string_split(templates, ' ') as templates
    from cross_year_checks

),

pairs as (

    select
        this_year.report_id,
        this_year.template,
        previous_year.report_id as previous_report_id,
        previous_year.template as previous_template,
        previous_year.report_year as previous_year
    from series as this_year
    inner join series as previous_year
        on
            this_year.series_key = previous_year.series_key
            and this_year.report_year = previous_year.report_year + 1
    where {{ pair_filter }}

),

pair_terms as (

    select
        pairs.report_id,
        pairs.previous_report_id as related_report_id,
        pairs.previous_year,
        pairs.template,
        check_terms.check_code,
        check_terms.evaluated_per,
        check_terms.side,
        check_terms.position,
        check_terms.sign,
        check_terms.metric_code as term_metric,
        case check_terms.report
            when 'previous' then pairs.previous_report_id
            else pairs.report_id
        end as term_report_id,
        check_terms.report = 'previous' as is_previous,
        case when check_terms.evaluated_per = 'row' then check_terms.instance end as row_instance,
        check_terms.applicant
    from pairs
    inner join check_terms
        on
            list_contains(check_terms.templates, pairs.template)
            and list_contains(check_terms.templates, pairs.previous_template)

),

terms as (

    select
        pair_terms.report_id,
        pair_terms.check_code,
        coalesce(pair_terms.row_instance, applicants.applicant) as instance,
        pair_terms.related_report_id,
        coalesce(applicants.sort_order, 0) as instance_order,
        pair_terms.template,
        pair_terms.evaluated_per,
        'eq' as operator,
        pair_terms.side,
        pair_terms.position,
        pair_terms.sign,
        pair_terms.term_report_id,
        pair_terms.term_metric,
        coalesce(applicants.applicant, pair_terms.applicant) as term_applicant,
        pair_terms.is_previous,
        pair_terms.previous_year
    from pair_terms
    left join applicants
        on pair_terms.applicant = '*'

),

terms_with_values as (

    select
        terms.*,
        metrics.value,
        metrics.value_status,
        terms.term_metric || '[' || terms.term_applicant || ']'
        || case when terms.is_previous then ' of ' || terms.previous_year else '' end
            as term_name,
        terms.term_metric || '[' || terms.term_applicant || ']'
        || case when terms.is_previous then ' of ' || terms.previous_year else '' end
        || coalesce('@L' || metrics.source_line, '') as term_ref
    from terms
    left join metrics
        on
            terms.term_report_id = metrics.report_id
            and terms.term_metric = metrics.metric_code
            and terms.term_applicant = metrics.applicant

),

{{ evaluate_check_terms('terms_with_values') }}

final as (

    select
        {{ check_column_list(omit=['source_line']) }},
        cells,
        instance_order,
        n_inputs,
        n_unusable
    from check_instances_evaluated

)

{% endmacro %}
