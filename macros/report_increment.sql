{#
    Incremental models keyed by report (docs/architecture.md, "Incremental builds").

    xxgk/transform.py writes meta.changed_reports before each build: the reports landed,
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


{% macro report_increment_filter(column) -%}
{% if is_incremental() -%}
{{ column }} in (select report_id from changed_reports)
{%- else -%}
true
{%- endif %}
{%- endmacro %}


{% macro delete_changed_reports(column='report_id') -%}
{% if is_incremental() -%}
delete from {{ this }}
where {{ column }} in (select report_id from {{ source('meta', 'changed_reports') }})
{%- else -%}
select 1
{%- endif %}
{%- endmacro %}


{% macro create_build_state() -%}
create schema if not exists meta;
create table if not exists meta.changed_reports (report_id varchar primary key);
{%- endmacro %}
