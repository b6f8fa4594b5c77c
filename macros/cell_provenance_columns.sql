{#- The columns that say where a cell was printed beyond its line: the TAB cell of the line,
    the page, and the OCR box, engine and confidence (ingest/parse/provenance.py). They pass
    unchanged from stg_cells to fct_report_metrics; `prefix` qualifies them (`ranked.`). -#}
{% macro cell_provenance_columns(prefix='') -%}
    {%- set names = [
        'source_column', 'source_page', 'ocr_x0', 'ocr_y0', 'ocr_x1', 'ocr_y1',
        'ocr_engine', 'ocr_confidence'
    ] -%}
    {%- for name in names %}
    {{ prefix }}{{ name }}{{ "," if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
