-- No loss between layers: every counted order of a registered unit lands in
-- kpi_unit_quarter's platform amount, cent for cent.
with orders as (
    select
        year,
        quarter,
        sum(net_amount_yuan) as net_yuan
    from {{ ref('int_orders__counted') }}
    where is_counted and unit_code is not null
    group by year, quarter
),

marts as (
    select
        year,
        quarter,
        sum(amount_platform_yuan) as platform_yuan
    from {{ ref('kpi_unit_quarter') }}
    group by year, quarter
)

select
    orders.year,
    orders.quarter,
    orders.net_yuan,
    marts.platform_yuan
from orders
left join marts on orders.year = marts.year and orders.quarter = marts.quarter
where marts.platform_yuan is null or orders.net_yuan <> marts.platform_yuan
