{#- CTEs that evaluate check instances from their terms (one row per cell of an instance).
    Call it inside a model's `with`, after the CTE named by `terms`; it defines the CTEs
    check_terms_classified, check_instances_grouped and check_instances_evaluated (each
    followed by a comma) and the model selects from check_instances_evaluated.
    `terms` has the columns
        report_id, check_code, instance, related_report_id (NULL within one report),
        instance_order, template, evaluated_per, operator ('eq', 'ge', 'le': lhs op rhs),
        side ('lhs'/'rhs'), position, sign (+1/-1), value, value_status,
        term_name (metric[applicant], as shown), term_ref (term_name with its line),
        term_report_id, term_metric, term_applicant (the cell's key).
    An instance is
        not_assessable  when any of its cells is absent, blank, uncertain or derived
                        (identities are judged on printed values only),
        pass            when Σ sign·value of the lhs relates to that of the rhs by `operator`
                        (within 1e-6),
        fail            otherwise. Nothing is repaired.
    actual = the lhs sum, expected = the rhs sum (NULL when a cell of that side is unusable).
    For `local` reports an instance is only emitted when at least one of its cells is present.
    Used by int_check_instances (one report) and int_cross_year_checks (two reports). -#}
{% macro evaluate_check_terms(terms) %}

check_terms_classified as (

    select
        *,
        case
            when value_status is null then 'absent'
            when value_status <> 'printed' then value_status
            when value is null then 'unreadable'
            else 'printed'
        end as term_status,
        case
            when row_number() over (
                partition by report_id, check_code, instance, related_report_id, side
                order by position
            ) = 1
                then case when sign < 0 then '− ' else '' end
            when sign < 0 then ' − '
            else ' + '
        end as joiner
    from {{ terms }}

),

check_instances_grouped as (

    select
        report_id,
        check_code,
        instance,
        related_report_id,
        any_value(instance_order) as instance_order,
        any_value(template) as template,
        any_value(evaluated_per) as evaluated_per,
        any_value(operator) as operator,
        count(*) as n_inputs,
        count(value_status) as n_present,
        count(*) filter (where term_status <> 'printed') as n_unusable,
        bool_and(term_status = 'printed') filter (where side = 'lhs') as is_lhs_complete,
        bool_and(term_status = 'printed') filter (where side = 'rhs') as is_rhs_complete,
        sum(sign * value) filter (where side = 'lhs') as lhs_sum,
        sum(sign * value) filter (where side = 'rhs') as rhs_sum,
        string_agg(term_name, ', ' order by position) as cells,
        string_agg(term_ref, ', ' order by position) as cell_refs,
        list(
            {'report_id': term_report_id, 'metric_code': term_metric, 'applicant': term_applicant}
            order by position
        ) as cell_keys,
        string_agg(
            joiner || term_name || ' ' || {{ format_number('value') }}, '' order by position
        ) filter (where side = 'lhs') as lhs_text,
        string_agg(
            joiner || term_name || ' ' || {{ format_number('value') }}, '' order by position
        ) filter (where side = 'rhs') as rhs_text,
        string_agg(
            term_name || ' ' || term_status, ', ' order by position
        ) filter (where term_status <> 'printed') as unusable_text
    from check_terms_classified
    group by report_id, check_code, instance, related_report_id

),

check_instances_evaluated as (

    select
        *,
        case when is_lhs_complete then lhs_sum end as actual,
        case when is_rhs_complete then rhs_sum end as expected,
        case
            when n_unusable > 0 then 'not_assessable'
            when operator = 'eq' and abs(lhs_sum - rhs_sum) <= 1e-6 then 'pass'
            when operator = 'ge' and lhs_sum >= rhs_sum - 1e-6 then 'pass'
            when operator = 'le' and lhs_sum <= rhs_sum + 1e-6 then 'pass'
            else 'fail'
        end as status,
        case operator when 'ge' then ' ≥ ' when 'le' then ' ≤ ' else ' = ' end as relation
    from check_instances_grouped
    where template <> 'local' or n_present > 0

),

{% endmacro %}


{#- The readable account of an evaluated instance (columns of check_instances_evaluated):
    `holds: …`, `fails: …` with the cells and their sums, or `not assessable: …` naming the
    unusable cells. -#}
{% macro check_detail() %}
    case
        when status = 'pass' and operator = 'eq' then
            'holds: ' || lhs_text || ' = ' || rhs_text || ' = ' || {{ format_number('expected') }}
        when status = 'pass' then
            'holds: ' || lhs_text || ' = ' || {{ format_number('actual') }} || relation
            || rhs_text || ' = ' || {{ format_number('expected') }}
        when status = 'fail' and operator = 'eq' then
            'fails: ' || lhs_text || ' = ' || {{ format_number('actual') }}
            || ', but ' || rhs_text || ' = ' || {{ format_number('expected') }}
        when status = 'fail' then
            'fails: ' || lhs_text || ' = ' || {{ format_number('actual') }} || ' is not'
            || relation || rhs_text || ' = ' || {{ format_number('expected') }}
        else 'not assessable: ' || unusable_text
    end
{%- endmacro %}
