-- Every check instance of every family in one relation, with the check's group, severity
-- and contract flag (seeds/check_catalogue.csv): the within-report identities
-- (int_check_instances: the contract's and the further template and soft rules, and whole
-- numbers), the text against the tables (int_prose_checks), the text's years and outline
-- (int_text_checks), consecutive years of a series (int_cross_year_checks), a region
-- against its sub-regions (int_cross_level_checks), and versions of one report that print
-- different numbers (int_version_conflicts).
-- cell_keys lists the cells of the report itself (and, across years, of the previous
-- report; for a version conflict, of the other version) each instance uses; NULL for the
-- cross-level checks, which compare measures.
-- Incremental: the rows of the changed reports, of every version of their reports and of
-- their series neighbours are replaced (macros/report_increment.sql), and the family
-- across levels whole.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_replaced_checks() }}"
    )
}}
with

series_neighbours as (

    {{ series_neighbours_sql() }}

),

identity_checks as (

    select * from {{ ref('int_check_instances') }}
    where {{ report_increment_filter('report_id', 'series_neighbours') }}

),

prose_checks as (

    select * from {{ ref('int_prose_checks') }}
    where {{ report_increment_filter('report_id', 'series_neighbours') }}

),

text_checks as (

    select * from {{ ref('int_text_checks') }}
    where {{ report_increment_filter('report_id', 'series_neighbours') }}

),

cross_year_checks as (

    select * from {{ ref('int_cross_year_checks') }}
    where {{ report_increment_filter('report_id', 'series_neighbours') }}

),

cross_level_checks as (

    select * from {{ ref('int_cross_level_checks') }}

),

version_conflicts as (

    select * from {{ ref('int_version_conflicts') }}
    where {{ report_increment_filter('report_id', 'series_neighbours') }}

),

catalogue as (

    select * from {{ ref('check_catalogue') }}

),

-- each family in the check columns (macros/check_columns.sql), NULL where it has no use
-- for one: the identities relate no report and quote no text line, the checks across years,
-- across levels and between versions quote no text line, those across levels use no cell
unioned as (

    select {{ check_column_list(absent=['related_report_id', 'source_line']) }}
    from identity_checks

    union all

    select {{ check_column_list() }}
    from prose_checks

    union all

    select {{ check_column_list() }}
    from text_checks

    union all

    select {{ check_column_list(absent=['source_line']) }}
    from cross_year_checks

    union all

    select {{ check_column_list(absent=['cell_keys', 'source_line']) }}
    from cross_level_checks

    union all

    select {{ check_column_list(absent=['source_line']) }}
    from version_conflicts

),

-- the check columns, then the catalogue's
final as (

    select
        unioned.*,
        catalogue.severity,
        catalogue.check_group,
        catalogue.is_contract
    from unioned
    left join catalogue
        on unioned.check_code = catalogue.check_code

)

select * from final
