{#- The import CTEs of the models that read reports' titles and texts (int_text_checks,
    int_report_fingerprints), each followed by a comma:
      reports  the int_reports rows of the reports the model builds: those of the caller's
               CTE `changed_reports` when `changed_only`, else all;
      texts    their extracted texts (stg_document_texts), by report_id.
    The caller says which reports it builds: int_text_checks the batch a batched full
    refresh builds (filters_reports()), int_report_fingerprints every report on any full
    refresh (is_incremental()). -#}
{% macro report_text_ctes(changed_only) -%}
reports as (

    select * from {{ ref('int_reports') }}
    {%- if changed_only %}
    where report_id in (select report_id from changed_reports)
    {%- endif %}

),

texts as (

    select
        document_id as report_id,
        text
    from {{ ref('stg_document_texts') }}
    where document_id in (select report_id from reports)

),
{%- endmacro %}
