-- The within-report identities evaluated per report and instance: the contract's accounting
-- identities (seeds/identity_checks.csv, is_contract) and the further template and soft
-- rules of seeds/soft_identity_checks.csv (a relation `operator`: eq, ge or le).
-- An instance is one applicant column (t3.balance, t3.results_sum), one table-三 row
-- (t3.applicant_sum), one named row (evaluated_per `row`, e.g. table 二's regulation and
-- normative_doc) or the report itself (t4.*, old.*). Status, sums and details come from the
-- macro evaluate_check_terms: judged on printed values only, nothing is repaired.
-- Checks apply to the templates listed in the seeds; for `local` reports an old.* check is
-- only emitted when at least one of its cells is present. Also `cell.whole_number`: the
-- report's printed counts are whole numbers. The rules are the macro
-- within_report_check_ctes, which the reviewed layer runs on the corrected cells.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

reports as (

    select * from {{ ref('int_reports') }}
    where {{ report_increment_filter('report_id') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}
    where {{ report_increment_filter('report_id') }}

),

{{ within_report_check_ctes() }}

select * from final
