-- SPEC 3.1: 已完成 and 部分退款 count order − refund; every other status counts 0.
-- The buyer is the registry unit with that code on the order's date (null: not registered).
with orders as (
    select * from {{ ref('int_orders__latest') }}
),

registry as (
    select * from {{ ref('int_units__registry') }}
),

matched as (
    select
        orders.*,
        registry.unit_code,
        row_number() over (
            partition by orders.order_id
            order by registry.valid_from desc
        ) as match_rank
    from orders
    left join registry
        on
            orders.buyer_code = registry.unit_code
            and cast(orders.ordered_at as date) >= registry.valid_from
            and cast(orders.ordered_at as date) <= registry.valid_until
)

select
    order_id,
    ordered_at,
    buyer_code,
    unit_code,
    supplier_name,
    product_code,
    product_category,
    region_code,
    purchase_type,
    order_status,
    order_amount_yuan,
    refund_amount_yuan,
    {{ year_of('ordered_at') }} as year,
    {{ quarter_of('ordered_at') }} as quarter,
    {{ quarter_index(year_of('ordered_at'), quarter_of('ordered_at')) }} as quarter_idx,
    coalesce(order_status in ('已完成', '部分退款'), false) as is_counted,
    {{ money(
        "case when order_status in ('已完成', '部分退款')"
        ~ " then order_amount_yuan - refund_amount_yuan else 0 end"
    ) }} as net_amount_yuan
from matched
where match_rank = 1
