{#- The text's numbers against the tables as CTEs, on any cells: the caller's `with`
    first defines the CTEs `prose` (stg_prose_numbers rows), `reports` (int_reports rows
    with a template family) and `metrics` (int_report_metrics rows of applicant `total`),
    then calls this macro and selects from `final`. int_prose_checks calls it on the
    printed cells, int_quality_checks_reviewed on the reviewed ones. The rules are
    described in int_prose_checks.
-#}
{% macro prose_check_ctes() %}

prose_measures as (

    select * from {{ ref('prose_measures') }}

),

statements as (

    select
        prose.document_id as report_id,
        prose.measure,
        prose.mention,
        prose.value as stated_value,
        prose.value_text,
        prose.is_approximate,
        prose.subject,
        prose.source_line,
        prose.context,
        reports.template,
        reports.template_family,
        reports.scope
    from prose
    inner join reports
        on prose.document_id = reports.report_id
    where
        prose.subject <> 'part'
        and exists (
            select 1
            from prose_measures
            where
                prose_measures.measure = prose.measure
                and prose_measures.template_family = reports.template_family
        )

),

candidate_cells as (

    select
        statements.report_id,
        statements.measure,
        statements.mention,
        prose_measures.candidate,
        prose_measures.candidate_order,
        prose_measures.label,
        prose_measures.position,
        prose_measures.metric_code,
        metrics.value,
        metrics.value_status,
        metrics.source_line,
        metrics.value_status = 'blank'
        or (metrics.value_status = 'printed' and metrics.value is not null) as is_usable
    from statements
    inner join prose_measures
        on
            statements.measure = prose_measures.measure
            and statements.template_family = prose_measures.template_family
    left join metrics
        on
            statements.report_id = metrics.report_id
            and prose_measures.metric_code = metrics.metric_code

),

candidates as (

    select
        report_id,
        measure,
        mention,
        candidate,
        any_value(candidate_order) as candidate_order,
        any_value(label) as label,
        coalesce(bool_and(is_usable), false) as is_usable,
        coalesce(bool_or(value_status = 'blank'), false) as uses_blank,
        sum(coalesce(value, 0)) as value,
        count(*) as n_cells,
        count(*) filter (where not coalesce(is_usable, false)) as n_unusable,
        string_agg(
            metric_code || '[total] ' || coalesce(value_status, 'absent'), ', '
            order by position
        ) filter (where not coalesce(is_usable, false)) as unusable_text
    from candidate_cells
    group by report_id, measure, mention, candidate

),

judged_candidates as (

    select
        candidates.*,
        candidates.is_usable
        and abs(candidates.value - statements.stated_value) <= case
            when statements.is_approximate then greatest(1, 0.1 * statements.stated_value)
            else 1e-6
        end as agrees,
        candidates.label || ' ' || {{ format_number('candidates.value') }}
        || case when candidates.uses_blank then ' (blank cells as 0)' else '' end
            as candidate_text
    from candidates
    inner join statements
        on
            candidates.report_id = statements.report_id
            and candidates.measure = statements.measure
            and candidates.mention = statements.mention

),

statement_cells as (

    -- each cell once per statement, in the order of its first candidate
    select
        report_id,
        measure,
        mention,
        metric_code || '[total]' || coalesce('@L' || source_line, '') as cell_ref,
        {
            'report_id': report_id,
            'metric_code': metric_code,
            'applicant': 'total'
        } as cell_key,
        row_number() over (
            partition by report_id, measure, mention
            order by candidate_order, position
        ) as cell_order
    from candidate_cells
    qualify row_number() over (
        partition by report_id, measure, mention, metric_code
        order by candidate_order, position
    ) = 1

),

statement_cell_lists as (

    select
        report_id,
        measure,
        mention,
        string_agg(cell_ref, ', ' order by cell_order) as cell_refs,
        list(cell_key order by cell_order) as cell_keys
    from statement_cells
    group by report_id, measure, mention

),

per_statement as (

    select
        report_id,
        measure,
        mention,
        count(*) filter (where is_usable) as n_usable,
        bool_or(agrees) as any_agrees,
        arg_min(value, candidate_order) filter (where agrees) as agreeing_value,
        arg_min(candidate_text, candidate_order) filter (where agrees) as agreeing_text,
        arg_min(value, candidate_order) filter (where is_usable) as first_usable_value,
        string_agg(candidate_text, ', ' order by candidate_order)
            filter (where is_usable) as usable_text,
        string_agg(unusable_text, ', ' order by candidate_order) as unusable_text,
        sum(n_cells) as n_inputs,
        sum(n_unusable) as n_unusable
    from judged_candidates
    group by report_id, measure, mention

),

evaluated as (

    select
        statements.*,
        per_statement.n_usable,
        per_statement.agreeing_text,
        per_statement.usable_text,
        per_statement.unusable_text,
        statement_cell_lists.cell_refs,
        statement_cell_lists.cell_keys,
        per_statement.n_inputs,
        per_statement.n_unusable,
        'the text (L' || statements.source_line || ') states '
        || statements.value_text || ' 「' || statements.context || '」'
        || case when statements.is_approximate then ' (approximate)' else '' end as stated_text,
        case
            when statements.subject = 'office' and statements.scope = 'aggregate'
                then 'not_assessable'
            when per_statement.n_usable = 0 then 'not_assessable'
            when per_statement.any_agrees then 'pass'
            else 'fail'
        end as status,
        coalesce(per_statement.agreeing_value, per_statement.first_usable_value) as table_value
    from statements
    inner join per_statement
        on
            statements.report_id = per_statement.report_id
            and statements.measure = per_statement.measure
            and statements.mention = per_statement.mention
    inner join statement_cell_lists
        on
            statements.report_id = statement_cell_lists.report_id
            and statements.measure = statement_cell_lists.measure
            and statements.mention = statement_cell_lists.mention

),

final as (

    select
        report_id,
        'prose.' || measure as check_code,
        mention as instance,
        cast(null as varchar) as related_report_id,
        status,
        stated_value as expected,
        case when status <> 'not_assessable' then table_value end as actual,
        case when status <> 'not_assessable' then table_value - stated_value end as difference,
        case status
            when 'pass' then 'holds: ' || stated_text || ' = ' || agreeing_text
            when 'fail' then 'fails: ' || stated_text || ', but the table gives ' || usable_text
            else
                'not assessable: ' || stated_text || ', '
                || case
                    when subject = 'office' and scope = 'aggregate'
                        then 'about the office alone, while the tables cover the whole region'
                    else 'no table quantity to compare: ' || unusable_text
                end
        end as detail,
        'text@L' || source_line || ', ' || cell_refs as cell_refs,
        cell_keys,
        template,
        'mention' as evaluated_per,
        source_line,
        n_inputs,
        n_unusable
    from evaluated

)

{% endmacro %}
