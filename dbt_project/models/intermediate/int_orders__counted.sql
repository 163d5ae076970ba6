{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ orders_reset_if_stale(with_registry=true) }}"
) }}
{%- set watermark = orders_watermark(is_incremental(), with_registry=true) | trim | int %}
-- SPEC 3.1: 已完成 and 部分退款 count order − refund; every other status counts 0.
-- The buyer is the registry unit with that code on the order's date (null: not registered).
-- Incremental (macros/orders_state.sql): recompute the winners that changed since the last
-- build (they come from files landed since) and the orders of units whose registry rows
-- changed.
with registry as (
    select * from {{ ref('int_units__registry') }}
),

{%- if watermark >= 0 %}

changed_units as (
    select changed.unit_code
    from (
        (
            select unit_code, valid_from, valid_until from registry
            except
            select unit_code, valid_from, valid_until from {{ orders_state_registry() }}
        )
        union all
        (
            select unit_code, valid_from, valid_until from {{ orders_state_registry() }}
            except
            select unit_code, valid_from, valid_until from registry
        )
    ) as changed
),
{%- endif %}

orders as (
    select * from {{ ref('int_orders__latest') }}
    {%- if watermark >= 0 %}
        where
            file_id > {{ watermark }}
            or buyer_code in (select changed_units.unit_code from changed_units)
    {%- endif %}
),

-- registered on the order's date: the unit is the buyer code itself (no window over rows)
registered as (
    select distinct orders.order_id
    from orders
    inner join registry
        on
            orders.buyer_code = registry.unit_code
            and cast(orders.ordered_at as date) >= registry.valid_from
            and cast(orders.ordered_at as date) <= registry.valid_until
),

matched as (
    select
        orders.*,
        case when registered.order_id is not null then orders.buyer_code end as unit_code
    from orders
    left join registered on orders.order_id = registered.order_id
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
