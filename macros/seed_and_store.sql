{#- The reviewed rows of one kind from both their homes, in one shape: a seed kept with the
    project (`seeds/<seed>.csv`) and the reviews store's staging view (`store`, entered in
    `xxgk review`). Selects `columns`, then reviewed_at (a timestamp), `source_column` (the
    seed's path or 'reviews store'), review_id (NULL for a seed row) and `order_column`
    (`seed_order` or `store_order`, which the caller's ordering reads).
    Used by int_canonical_pins and int_reviewed_corrections. -#}
{% macro seed_and_store(seed, store, columns, source_column, order_column, seed_order, store_order) %}
    select
        {{ columns | join(',\n        ') }},
        cast(reviewed_at as timestamp) as reviewed_at,
        'seeds/{{ seed }}.csv' as {{ source_column }},
        cast(null as varchar) as review_id,
        {{ seed_order }} as {{ order_column }}
    from {{ ref(seed) }}

    union all

    select
        {{ columns | join(',\n        ') }},
        reviewed_at,
        'reviews store' as {{ source_column }},
        review_id,
        {{ store_order }} as {{ order_column }}
    from {{ ref(store) }}
{% endmacro %}
