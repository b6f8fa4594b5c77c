-- version_conflict: two versions of one report (int_report_versions) print different
-- numbers for the same cell. One instance per cell and other version, on the report's
-- canonical version: actual = the canonical version's value, expected = the other
-- version's, both printed (a cell read as uncertain, blank or absent in either is not
-- compared), with both lines in cell_refs and both cells in cell_keys.
-- The canonical choice is then in doubt: the instance fails, which grades the canonical
-- version lower (fct_report_quality), until a reviewer settles it: a pin of the canonical
-- version (seeds/canonical_choices.csv or the reviews store: int_canonical_pins) settles
-- every instance of the report, a reviewed correction of the canonical version's cell
-- (seeds/overrides.csv or the reviews store: int_reviewed_corrections) settles that cell.
-- A settled instance passes; its detail still gives both values, and who settled it.
-- Incremental: the instances of every version of a changed document's report are replaced
-- (macros/report_increment.sql), a report's versions being compared with each other only.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id', versions=true) }}"
    )
}}
with

{{ changed_versions_cte() }},

versions as (

    select * from {{ ref('int_report_versions') }}
    where
        version_count > 1
        and {{ report_increment_filter('report_id', 'changed_versions') }}

),

reports as (

    select
        report_id,
        source_file,
        template
    from {{ ref('int_reports') }}

),

metrics as (

    select
        report_id,
        metric_code,
        applicant,
        value,
        source_line
    from {{ ref('int_report_metrics') }}
    where
        report_id in (select report_id from versions)
        and value_status = 'printed'
        and value is not null

),

overrides as (

    select * from {{ ref('int_reviewed_corrections') }}

),

pairs as (

    select
        canonical.report_id,
        other.report_id as related_report_id,
        canonical.is_pinned,
        canonical.pin_reason,
        canonical.pinned_by,
        canonical.pinned_at
    from versions as canonical
    inner join versions as other
        on canonical.report_key = other.report_key and not other.is_canonical
    where canonical.is_canonical

),

differing as (

    select
        pairs.*,
        this.metric_code,
        this.applicant,
        this.metric_code || '[' || this.applicant || ']' as cell,
        this.value,
        this.source_line,
        other.value as other_value,
        other.source_line as other_line
    from pairs
    inner join metrics as this
        on pairs.report_id = this.report_id
    inner join metrics as other
        on
            pairs.related_report_id = other.report_id
            and this.metric_code = other.metric_code
            and this.applicant = other.applicant
    where abs(this.value - other.value) > 1e-6

),

final as (

    select
        differing.report_id,
        'version_conflict' as check_code,
        differing.cell as instance,
        differing.related_report_id,
        case
            when differing.is_pinned or overrides.report_id is not null then 'pass'
            else 'fail'
        end as status,
        differing.other_value as expected,
        differing.value as actual,
        differing.value - differing.other_value as difference,
        'versions differ: ' || differing.cell || ' = ' || {{ format_number('differing.value') }}
        || ' here' || coalesce(' (L' || differing.source_line || ')', '') || ', '
        || {{ format_number('differing.other_value') }} || ' in ' || differing.related_report_id
        || ' (' || others.source_file || coalesce(', L' || differing.other_line, '') || '); '
        || case
            when differing.is_pinned
                then
                    'settled: ' || differing.pinned_by || ' chose this version on '
                    || differing.pinned_at || ': ' || differing.pin_reason
            when overrides.report_id is not null
                then
                    'settled: ' || overrides.reviewed_by || ' corrected the cell to '
                    || {{ format_number('overrides.corrected_value') }} || ' on '
                    || cast(overrides.reviewed_at as date) || ': ' || overrides.reason
            else 'which version is right is not reviewed (pin one: xxgk review, '
                || 'or seeds/canonical_choices.csv)'
        end as detail,
        differing.cell || coalesce('@L' || differing.source_line, '') || ', '
        || differing.cell || ' of ' || differing.related_report_id
        || coalesce('@L' || differing.other_line, '') as cell_refs,
        [
            {
                'report_id': differing.report_id,
                'metric_code': differing.metric_code,
                'applicant': differing.applicant
            },
            {
                'report_id': differing.related_report_id,
                'metric_code': differing.metric_code,
                'applicant': differing.applicant
            }
        ] as cell_keys,
        canonical_reports.template,
        'cell' as evaluated_per
    from differing
    inner join reports as canonical_reports
        on differing.report_id = canonical_reports.report_id
    inner join reports as others
        on differing.related_report_id = others.report_id
    left join overrides
        on
            differing.report_id = overrides.report_id
            and differing.metric_code = overrides.metric_code
            and differing.applicant = overrides.applicant

)

select * from final
