-- The numbers a report's text states (stg_prose_numbers) against its own tables. One
-- instance per mention (`L<line>`), for reports with a statistics table and measures with a
-- table counterpart in the report's template family (seeds/prose_measures.csv). The prose
-- may count differently from the table, so every plausible table quantity is a candidate
-- (e.g. 本年新收, 本年新收 + 上年结转, 办理结果总计 + 结转下年度) and agreeing with any one
-- passes. A candidate is usable when all its cells are printed or blank (blank counted as
-- 0, as in table 四 of 上海 2019); a hedged number (余, 多, 近, 约 …) agrees within 10%.
--   not_assessable  the clause is about part of the scope (one channel, some units: not
--                   emitted), about the office alone in a region-wide report, or no
--                   candidate is usable (cells absent, uncertain, derived);
--   pass            a usable candidate agrees;
--   fail            none agrees (check severity `warn`: the prose may count another scope).
with

prose as (

    select * from {{ ref('stg_prose_numbers') }}

),

reports as (

    select * from {{ ref('int_reports') }}
    where template_family is not null

),

metrics as (

    select * from {{ ref('int_report_metrics') }}
    where applicant = 'total'

),

{{ prose_check_ctes() }}

select * from final
