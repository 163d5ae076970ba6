-- The winning version of each order: latest updated_at; ties -> the file ingested last.
with orders as (
    select * from {{ ref('stg_platform__orders') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id
            order by updated_at desc, file_id desc, source_row_number desc
        ) as version_rank
    from orders
)

select
    order_id,
    ordered_at,
    updated_at,
    buyer_name,
    buyer_code,
    supplier_name,
    product_code,
    product_name,
    product_category,
    region_code,
    quantity,
    unit_price_yuan,
    order_amount_yuan,
    refund_amount_yuan,
    order_status,
    purchase_type,
    file_id,
    source_row_number
from ranked
where version_rank = 1
