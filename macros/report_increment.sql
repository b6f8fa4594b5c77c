{#
    Incremental models keyed by report (docs/architecture.md, "Incremental builds").

    transform/dbt_runner.py writes meta.changed_reports before each build: the reports landed,
    re-parsed or retired since the last successful build. An incremental model

      - selects only those reports' rows (`report_increment_filter`), and
      - deletes their old rows first (pre-hook `delete_changed_reports`),

    so a report's rows are replaced whole; a retired report's rows are deleted and none
    come back. A full refresh (first build, or any change to models, macros or seeds: the
    build fingerprint) rebuilds everything and ignores the list.
#}

{% macro changed_reports_cte() -%}
changed_reports as (

    select report_id from {{ source('meta', 'changed_reports') }}

)
{%- endmacro %}


{#
    A full refresh of a big warehouse is built in batches of reports (transform/dbt_runner.py,
    XXGK_BUILD_BATCH): the first batch is a full refresh with the var `report_batch` set,
    which applies the filters to the reports listed as on an incremental build, and the
    other batches are incremental builds. So the per-report models never hold more than one
    batch's intermediate rows in memory.
#}
{% macro filters_reports() -%}
{{ return(is_incremental() or var('report_batch', false)) }}
{%- endmacro %}


{#
    True while xxgk's incremental build runs (transform/dbt_runner.py: selector
    `refresh_incremental`, no full refresh, not one batch of a batched full refresh): every
    per-report model then replaces only the reports in meta.changed_reports. Read when a node
    runs, so a manifest parsed ahead of the build serves every kind of build.
#}
{% macro builds_changed_reports_only() -%}
{{ return(
    invocation_args_dict.get('selector') == 'refresh_incremental'
    and not flags.FULL_REFRESH
    and not var('report_batch', false)
) }}
{%- endmacro %}


{#
    `column` names one of the reports this build replaces: a report in the CTE `reports`
    (`changed_reports`, or `series_neighbours` for the quality models); true on a full
    refresh.
#}
{% macro report_increment_filter(column, reports='changed_reports') -%}
{% if filters_reports() -%}
{{ column }} in (select report_id from {{ reports }})
{%- else -%}
true
{%- endif %}
{%- endmacro %}


{% macro delete_changed_reports(
    column='report_id', also=none, series_neighbours=false, versions=false
) -%}
{% if is_incremental() -%}
delete from {{ this }}
where {{ column }} in (
    {%- if series_neighbours %}
    {{ series_neighbours_sql() }}
    {%- elif versions %}
    {{ changed_versions_sql() }}
    {%- else %}
    select report_id from {{ source('meta', 'changed_reports') }}
    {%- endif %}
)
{%- if also %}
    or ({{ also }})
{%- endif %}
{%- else -%}
select 1
{%- endif %}
{%- endmacro %}


{#
    Versions of one report (int_report_versions): a changed document can change which
    version of its report is canonical, and so the rows of versions that did not change (a
    new rendering with fuller statistics displaces the canonical one; a retired canonical
    version hands over to the next). The models that keep canonical documents only, or
    compare reports with each other, replace the rows of every version of the reports a
    changed document belongs to, in this build or in the last one (meta.built_reports keeps
    each document's report_key then, so the former versions of a retired or re-parsed
    document are found too).
#}
{% macro changed_versions_sql() -%}
select report_id from {{ source('meta', 'changed_reports') }}
union
select versions.report_id
from {{ ref('int_report_versions') }} as versions
where versions.report_key in (
    select report_key from {{ ref('int_report_versions') }}
    where report_id in (select report_id from {{ source('meta', 'changed_reports') }})
)
union
select built.report_id
from {{ source('meta', 'built_reports') }} as built
where built.report_key in (
    select report_key from {{ source('meta', 'built_reports') }}
    where report_id in (select report_id from {{ source('meta', 'changed_reports') }})
)
{%- endmacro %}


{#- The canonical version of every report (int_report_versions): what analysts count. -#}
{% macro canonical_reports_sql() -%}
select report_id
from {{ ref('int_report_versions') }}
where is_canonical
{%- endmacro %}


{#- changed_reports_cte() for the models that replace every version of a changed report -#}
{% macro changed_versions_cte() -%}
changed_versions as (

    {{ changed_versions_sql() }}

)
{%- endmacro %}


{#
    The quality models compare reports with each other. A check across years uses two
    consecutive reports of a series (int_report_series), so a changed report changes the
    instances and the reviewed cells of the reports of its series one year before and after
    it. These models replace the rows of the changed reports (with every version of their
    reports, as above: a series holds canonical versions only) and of those series
    neighbours, in this build or in the last one (meta.built_reports keeps each report's
    series and year then, so a retired report's former neighbours are found too).
#}
{% macro series_neighbours_sql() -%}
with changed_versions as (

    {{ changed_versions_sql() }}

),

changed_series as (

    select
        series_key,
        report_year
    from {{ ref('int_report_series') }}
    where report_id in (select report_id from changed_versions)
    union
    select
        series_key,
        report_year
    from {{ source('meta', 'built_reports') }}
    where
        report_id in (select report_id from changed_versions)
        and series_key is not null

)

select report_id from changed_versions
union
select series.report_id
from {{ ref('int_report_series') }} as series
inner join changed_series
    on
        series.series_key = changed_series.series_key
        and abs(series.report_year - changed_series.report_year) = 1
{%- endmacro %}


{#
    A region against its sub-regions (check group `cross_level`): a changed county changes
    its city's and province's instances, in no series of theirs. The family is small (one
    instance per parent report and measure), so the incremental quality models replace it
    whole.
#}
{% macro whole_check_groups() -%}
('cross_level')
{%- endmacro %}


{#
    The CTEs `series_neighbours` and `checks` of a check mart built from int_quality_checks
    (fct_quality_checks, fct_quality_checks_reviewed): the instances this build replaces,
    those of the changed reports and their series neighbours, and the whole groups. Each
    is followed by a comma; the model's own CTEs come next.
#}
{% macro replaced_quality_checks_ctes() -%}
series_neighbours as (

    {{ series_neighbours_sql() }}

),

checks as (

    select * from {{ ref('int_quality_checks') }}
    where
        {{ report_increment_filter('report_id', 'series_neighbours') }}
        or check_group in {{ whole_check_groups() }}

),
{%- endmacro %}


{# the pre-hook of the incremental check relations (int_quality_checks, fct_quality_checks,
   fct_quality_checks_reviewed) #}
{% macro delete_replaced_checks() -%}
{{ delete_changed_reports(
    'report_id', also='check_group in ' ~ whole_check_groups(), series_neighbours=true) }}
{%- endmacro %}


{% macro create_build_state() -%}
create schema if not exists meta;
create table if not exists meta.changed_reports (report_id varchar primary key);
create table if not exists meta.built_reports (
    report_id varchar primary key, parser_version varchar, attributes_md5 varchar,
    series_key varchar, report_year integer, report_key varchar
);
{%- endmacro %}
