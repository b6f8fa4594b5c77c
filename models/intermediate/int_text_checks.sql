-- Checks of the report's text and outline (check group `text`):
--   text.period_year        each year the statistics period states (统计期限…, read by
--                           ingest/parse/prose.py) = the year in the title; one instance per
--                           mention (`L<line>`);
--   text.table_year         each year a statistics table's caption states (…年政府信息公开
--                           情况统计表) = the year in the title;
--   text.heading_numbering  each section heading of the template's outline
--                           (seeds/report_sections.csv) carries its number; one instance per
--                           section (its numeral);
--   text.section_not_empty  the sections with min_content_chars (五) have that much text,
--                           whitespace and punctuation aside;
--   text.fee_statement      the sections with must_mention (六) mention it, in the templates
--                           of must_mention_templates (v2021, hybrid).
-- A heading is a numeral and 、 (五、) at the start of a line or after a space or 。 (text
-- extracted from HTML may run a whole report into one line); the section it opens is the
-- template's section whose title_pattern its first 30 characters match, the first such
-- heading of the text. A section runs to the next section found (or the end of the text).
-- not_assessable: the title has no year; the section's heading is not found.
-- Incremental by report: a report's text, title and prose change only with the report.
{{
    config(
        materialized='incremental',
        pre_hook="{{ delete_changed_reports('report_id') }}"
    )
}}
with

{{ changed_reports_cte() }},

{{ report_text_ctes(changed_only=filters_reports()) }}

-- the year in each report's title
title_years as (

    select
        report_id,
        template,
        title,
        try_cast(regexp_extract(title, '((?:19|20)\d{2})\s*年', 1) as integer) as title_year
    from reports

),

prose as (

    select * from {{ ref('stg_prose_numbers') }}
    where
        measure in ('statistics_period_year', 'table_year')
        and {{ report_increment_filter('document_id') }}

),

sections as (

    select * from {{ ref('report_sections') }}

),

-- the texts of the reports whose template family has an outline
outlined_texts as (

    select texts.*
    from texts
    inner join reports
        on texts.report_id = reports.report_id
    where reports.template_family in (select sections.template_family from sections)

),

-- the years the text states against the title's
year_checks as (

    select
        prose.document_id as report_id,
        case prose.measure
            when 'statistics_period_year' then 'text.period_year'
            else 'text.table_year'
        end as check_code,
        prose.mention as instance,
        case
            when title_years.title_year is null then 'not_assessable'
            when prose.value = title_years.title_year then 'pass'
            else 'fail'
        end as status,
        cast(title_years.title_year as double) as expected,
        case when title_years.title_year is not null then prose.value end as actual,
        'the text (L' || prose.source_line || ') states ' || prose.value_text
        || ' 「' || prose.context || '」' as stated_text,
        'text@L' || prose.source_line as cell_refs,
        prose.source_line,
        title_years.template,
        title_years.title
    from prose
    inner join title_years
        on prose.document_id = title_years.report_id

),

-- the text cut before every heading-like numeral: segment n starts with its heading
segments as (

    select
        outlined_texts.report_id,
        segment.text as segment,
        segment.segment_no
    from outlined_texts,
        unnest(
            string_split(
                regexp_replace(
                    outlined_texts.text,
                    '(^|\n|[ \t　。])([一二三四五六七八九十]{1,3}、)',
                    '\1' || chr(1) || '\2',
                    'g'
                ),
                chr(1)
            )
        ) with ordinality as segment (text, segment_no)

),

headings as (

    select
        report_id,
        segment_no,
        segment,
        -- the line a segment starts on: 1 + the line breaks before it
        1 + coalesce(
            sum(length(segment) - length(replace(segment, chr(10), ''))) over (
                partition by report_id
                order by segment_no
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as start_line,
        regexp_extract(segment, '^([一二三四五六七八九十]{1,3})、', 1) as numeral,
        regexp_extract(segment, '^[一二三四五六七八九十]{1,3}、\s*([^\n，,。；;：:]*)', 1) as title
    from segments

),

found as (

    select
        headings.report_id,
        sections.section,
        headings.segment_no,
        headings.start_line,
        headings.numeral,
        headings.title
    from headings
    inner join reports
        on headings.report_id = reports.report_id
    inner join sections
        on
            reports.template_family = sections.template_family
            and regexp_matches(left(headings.title, 30), sections.title_pattern)
    where headings.numeral <> ''
    qualify row_number() over (
            partition by headings.report_id, sections.section
            order by headings.segment_no
        ) = 1

),

bounded as (

    select
        *,
        lead(segment_no) over (partition by report_id order by segment_no) as next_segment_no
    from found

),

section_texts as (

    select
        bounded.report_id,
        bounded.section,
        string_agg(headings.segment, '' order by headings.segment_no) as section_text
    from bounded
    inner join headings
        on
            bounded.report_id = headings.report_id
            and bounded.segment_no <= headings.segment_no
            and (bounded.next_segment_no is null or bounded.next_segment_no > headings.segment_no)
    group by bounded.report_id, bounded.section

),

-- every section of the report's template, found or not
outline as (

    select
        reports.report_id,
        reports.template,
        sections.section,
        sections.numeral as template_numeral,
        sections.title as template_title,
        sections.min_content_chars,
        sections.must_mention,
        list_contains(string_split(sections.must_mention_templates, ' '), reports.template)
            as must_mention_applies,
        bounded.numeral,
        bounded.title,
        bounded.start_line,
        -- the section's text after its heading line's title
        substr(section_texts.section_text, length(bounded.numeral) + 2 + length(bounded.title))
            as content
    from reports
    inner join sections
        on reports.template_family = sections.template_family
    left join bounded
        on
            reports.report_id = bounded.report_id
            and sections.section = bounded.section
    left join section_texts
        on
            bounded.report_id = section_texts.report_id
            and bounded.section = section_texts.section
    where reports.report_id in (select report_id from outlined_texts)

),

measured as (

    select
        *,
        length(regexp_replace(content, '[\s\p{P}\p{S}]', '', 'g')) as content_chars,
        cast(len(regexp_extract_all(content, must_mention)) as double) as mentions,
        {{ chinese_numeral('numeral') }} as printed_number,
        'the heading 「' || numeral || '、' || left(title, 40) || '」 (L' || start_line || ')'
            as heading_text,
        'section ' || template_numeral || ' (' || template_title || ')' as section_name
    from outline

),

-- each rule of the outline on each section it applies to: what holds means, the numbers
-- compared and the detail either way
outline_rules as (

    select
        *,
        'text.heading_numbering' as check_code,
        numeral = template_numeral as holds,
        cast(section as double) as expected,
        cast(printed_number as double) as actual,
        'holds: ' || heading_text || ' is numbered ' || template_numeral as holds_detail,
        'fails: ' || heading_text || ' is ' || section_name || ', numbered '
        || numeral || ' instead of ' || template_numeral as fails_detail
    from measured

    union all by name

    select
        *,
        'text.section_not_empty' as check_code,
        content_chars >= min_content_chars as holds,
        cast(min_content_chars as double) as expected,
        cast(content_chars as double) as actual,
        'holds: ' || section_name || ' has ' || content_chars || ' characters of text'
            as holds_detail,
        'fails: ' || section_name || ' (' || heading_text || ') has '
        || content_chars || ' characters of text: 「' || trim(left(content, 40))
        || '」, fewer than ' || min_content_chars as fails_detail
    from measured
    where min_content_chars is not null

    union all by name

    select
        *,
        'text.fee_statement' as check_code,
        mentions > 0 as holds,
        1.0 as expected,
        mentions as actual,
        'holds: ' || section_name || ' mentions ' || must_mention as holds_detail,
        'fails: ' || section_name || ' (' || heading_text || ') never mentions '
        || must_mention as fails_detail
    from measured
    where must_mention is not null and must_mention_applies

),

-- a section whose heading is not found cannot be assessed
outline_checks as (

    select
        report_id,
        check_code,
        template_numeral as instance,
        case
            when numeral is null then 'not_assessable'
            when holds then 'pass'
            else 'fail'
        end as status,
        expected,
        actual,
        case
            when numeral is null then 'not assessable: no heading of ' || section_name || ' found'
            when holds then holds_detail
            else fails_detail
        end as detail,
        'text@L' || coalesce(cast(start_line as varchar), '?') as cell_refs,
        start_line as source_line,
        template
    from outline_rules

),

final as (

    select
        report_id,
        check_code,
        instance,
        cast(null as varchar) as related_report_id,
        status,
        expected,
        case when status <> 'not_assessable' then actual end as actual,
        case when status <> 'not_assessable' then actual - expected end as difference,
        case status
            when 'pass' then 'holds: ' || stated_text || ' = the title''s year ' || title_year_text
            when 'fail'
                then 'fails: ' || stated_text || ', but the title 「' || title || '」 says '
                    || title_year_text
            else 'not assessable: ' || stated_text || ', and the title names no year'
        end as detail,
        cell_refs,
        cast([] as {{ cell_keys_type() }}) as cell_keys,
        source_line,
        template,
        'mention' as evaluated_per
    from (
        select
            *,
            coalesce(cast(cast(expected as integer) as varchar), '?') as title_year_text
        from year_checks
    ) as year_checks_texts

    union all

    select
        report_id,
        check_code,
        instance,
        cast(null as varchar) as related_report_id,
        status,
        case when status <> 'not_assessable' then expected end as expected,
        case when status <> 'not_assessable' then actual end as actual,
        case when status <> 'not_assessable' then actual - expected end as difference,
        detail,
        cell_refs,
        cast([] as {{ cell_keys_type() }}) as cell_keys,
        source_line,
        template,
        'section' as evaluated_per
    from outline_checks

)

select * from final
