{#- CTEs that evaluate check instances from their terms (one row per cell of an instance).
    Call it inside a model's `with`, after the CTE named by `terms`; it defines the CTEs
    check_terms_classified, check_instances_grouped, check_instances_listed,
    check_instances_judged and check_instances_evaluated (each followed by a comma), and the
    model selects the check columns (macros/check_columns.sql) from check_instances_evaluated.
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
    actual = the lhs sum, expected = the rhs sum (NULL when a cell of that side is unusable),
    difference = actual - expected (NULL when not assessable), detail = check_detail().
    For `local` reports an instance is only emitted when at least one of its cells is present.
    Used by int_check_instances (one report), int_cross_year_checks (two reports) and
    int_cross_level_checks (a region's reports). -#}
{% macro evaluate_check_terms(terms) %}

check_terms_classified as (

    select
        *,
        case
            when value_status is null then 'absent'
            when value_status <> 'printed' then value_status
            when value is null then 'unreadable'
            else 'printed'
        end as term_status
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
        -- one unordered list per instance, sorted afterwards: DuckDB keeps a sort state per
        -- group for every ordered aggregate, which took GiBs at a few thousand reports
        list({
            'position': position,
            'term_name': term_name,
            'term_ref': term_ref,
            'cell_key': {
                'report_id': term_report_id, 'metric_code': term_metric, 'applicant': term_applicant
            },
            'side': side,
            'negative': sign < 0,
            'term_text': term_name || ' ' || {{ format_number('value') }},
            'unusable': case when term_status <> 'printed' then term_name || ' ' || term_status end
        }) as unsorted_terms
    from check_terms_classified
    group by report_id, check_code, instance, related_report_id

),

check_instances_listed as (

    select
        * exclude (unsorted_terms, sorted_terms),
        {{ joined_terms('sorted_terms', 'term_name', ', ') }} as cells,
        {{ joined_terms('sorted_terms', 'term_ref', ', ') }} as cell_refs,
        list_transform(sorted_terms, term -> term.cell_key) as cell_keys,
        {{ side_text('sorted_terms', 'lhs') }} as lhs_text,
        {{ side_text('sorted_terms', 'rhs') }} as rhs_text,
        {{ joined_terms('sorted_terms', 'unusable', ', ') }} as unusable_text
    from (
        select
            *,
            list_sort(unsorted_terms) as sorted_terms
        from check_instances_grouped
    ) as grouped

),

check_instances_judged as (

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
    from check_instances_listed
    where template <> 'local' or n_present > 0

),

check_instances_evaluated as (

    select
        *,
        case when status <> 'not_assessable' then actual - expected end as difference,
        {{ check_detail() }} as detail
    from check_instances_judged

),

{% endmacro %}


{#- The non-NULL `field` of the (sorted) term structs in `terms`, joined by `separator`;
    NULL when there is none (as string_agg gives). -#}
{% macro joined_terms(terms, field, separator) -%}
    nullif(
        array_to_string(
            list_filter(list_transform({{ terms }}, term -> term.{{ field }}), text -> text is not null),
            '{{ separator }}'
        ),
        ''
    )
{%- endmacro %}


{#- One side of an instance as a sum, e.g. `a[total] 3 + b[total] 4 − c[total] 1`: the
    side's terms in position order, each after its joiner (the first only shows a minus);
    a term whose value cannot be shown is left out, its joiner with it. -#}
{% macro side_text(terms, side) -%}
    nullif(
        array_to_string(
            list_filter(
                list_transform(
                    list_filter({{ terms }}, term -> term.side = '{{ side }}'),
                    (term, i) -> case
                        when i = 1 then case when term.negative then '− ' else '' end
                        when term.negative then ' − '
                        else ' + '
                    end || term.term_text
                ),
                text -> text is not null
            ),
            ''
        ),
        ''
    )
{%- endmacro %}


{#- The readable account of an evaluated instance (columns of check_instances_judged):
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
