-- A region's aggregate report against its sub-regions' aggregate reports of the same year:
-- for each additive measure, the parent's value is not smaller than the sum of its
-- children's (xlevel.parent_ge_children, operator ge). Children are the regions whose
-- parent_code (seeds/regions.csv) is the parent's code; a 市辖区/县 placeholder level is
-- skipped (a municipality's districts belong to the municipality). Only the canonical
-- versions of reports parsed with a statistics table take part (int_report_versions);
-- when one child region still has several aggregate reports for the year, the one with
-- the smallest report_id is used. An instance exists where a
-- parent has at least one child report; it is not assessable when the parent or a child
-- lacks the measure or it is not fully printed.
with

reports as (

    select * from {{ ref('int_reports') }}
    where
        report_id in ({{ canonical_reports_sql() }})
        and scope = 'aggregate'
        and parse_status = 'parsed'
        and region_code is not null
        and report_year is not null

),

regions as (

    select * from {{ ref('regions') }}

),

measures as (

    select * from {{ ref('int_harmonised_metrics') }}

),

additive_measures as (

    -- counts that add up over the bodies of a region; normative_docs_issued is left out
    -- because each level reports the documents it issued itself
    select measure_code
    from (
        values
        ('requests_received'), ('requests_granted'), ('requests_partial'),
        ('requests_denied'), ('requests_not_held'), ('requests_handled'),
        ('reviews_total'), ('reviews_corrected'), ('lawsuits_total'), ('lawsuits_corrected')
    ) as additive (measure_code)

),

region_parents as (

    select
        regions.code,
        regions.name,
        case
            when parents.name in ('市辖区', '县') then parents.parent_code
            else regions.parent_code
        end as parent_code
    from regions
    left join regions as parents
        on regions.parent_code = parents.code

),

children as (

    select
        reports.report_id,
        reports.report_year,
        region_parents.name as region_name,
        region_parents.parent_code
    from reports
    inner join region_parents
        on reports.region_code = region_parents.code
    qualify row_number() over (
            partition by reports.region_code, reports.report_year order by reports.report_id
        ) = 1

),

parents as (

    select
        reports.report_id,
        reports.report_year,
        reports.region_code,
        reports.template,
        region_parents.name as region_name
    from reports
    inner join region_parents
        on reports.region_code = region_parents.code
    where exists (
            select 1
            from children
            where
                children.parent_code = reports.region_code
                and children.report_year = reports.report_year
        )

),

parent_terms as (

    select
        parents.report_id,
        parents.template,
        additive_measures.measure_code,
        'lhs' as side,
        0 as position,
        parents.report_id as term_report_id,
        parents.region_name as term_region
    from parents
    cross join additive_measures

),

child_terms as (

    select
        parents.report_id,
        parents.template,
        additive_measures.measure_code,
        'rhs' as side,
        row_number() over (
            partition by parents.report_id, additive_measures.measure_code
            order by children.region_name, children.report_id
        ) as position,
        children.report_id as term_report_id,
        children.region_name as term_region
    from parents
    inner join children
        on
            parents.region_code = children.parent_code
            and parents.report_year = children.report_year
    cross join additive_measures

),

terms as (

    select * from parent_terms
    union all
    select * from child_terms

),

terms_with_values as (

    select
        terms.report_id,
        'xlevel.parent_ge_children' as check_code,
        terms.measure_code as instance,
        cast(null as varchar) as related_report_id,
        0 as instance_order,
        terms.template,
        'measure' as evaluated_per,
        'ge' as operator,
        terms.side,
        terms.position,
        1 as sign,
        measures.value,
        measures.input_status as value_status,
        terms.measure_code || '[' || terms.term_region || ']' as term_name,
        terms.measure_code || '[' || terms.term_region || '] of ' || terms.term_report_id
            as term_ref,
        terms.term_report_id,
        terms.measure_code as term_metric,
        'total' as term_applicant
    from terms
    left join measures
        on
            terms.term_report_id = measures.report_id
            and terms.measure_code = measures.measure_code

),

{{ evaluate_check_terms('terms_with_values') }}

final as (

    select
        {{ check_column_list(omit=['cell_keys', 'source_line']) }},
        cells,
        n_inputs,
        n_unusable
    from check_instances_evaluated

)

select * from final
