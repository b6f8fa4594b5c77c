{#- The value of a Chinese numeral of one to three characters (一 … 九十九): 五 -> 5,
    十一 -> 11, 二十 -> 20, 二十三 -> 23; NULL for NULL or anything else. Used to report a
    heading's printed number (int_text_checks). -#}
{% macro chinese_numeral(expression) -%}
    case
        when ({{ expression }}) is null then null
        when not regexp_full_match(({{ expression }}), '[一二三四五六七八九]?十?[一二三四五六七八九]?')
            or ({{ expression }}) = ''
            then null
        when ({{ expression }}) = '十' then 10
        when not contains(({{ expression }}), '十')
            then list_position(['一', '二', '三', '四', '五', '六', '七', '八', '九'], ({{ expression }}))
        else
            coalesce(
                list_position(
                    ['一', '二', '三', '四', '五', '六', '七', '八', '九'],
                    nullif(split_part(({{ expression }}), '十', 1), '')
                ),
                1
            ) * 10
            + coalesce(
                list_position(
                    ['一', '二', '三', '四', '五', '六', '七', '八', '九'],
                    nullif(split_part(({{ expression }}), '十', 2), '')
                ),
                0
            )
    end
{%- endmacro %}
