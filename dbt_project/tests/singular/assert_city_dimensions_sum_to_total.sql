-- SPEC 4.8: within each quarter every dimension's members add up to the city total
-- (amount and year to date), and the city total is the sum of the units' amounts.
-- (City YTD keeps the purchases of units that left the registry during the year, so it
-- is compared with the dimensions, not with the active units' YTD.)
with city as (
    select * from {{ ref('kpi_city_quarter') }}
),

units as (
    select
        year,
        quarter,
        sum(amount_total_yuan) as amount_yuan
    from {{ ref('kpi_unit_quarter') }}
    group by year, quarter
),

by_dimension as (
    select
        year,
        quarter,
        dimension,
        sum(amount_yuan) as amount_yuan,
        sum(ytd_yuan) as ytd_yuan
    from city
    group by year, quarter, dimension
),

totals as (
    select
        year,
        quarter,
        amount_yuan,
        ytd_yuan
    from city
    where dimension = 'total'
)

select
    by_dimension.year,
    by_dimension.quarter,
    by_dimension.dimension,
    by_dimension.amount_yuan,
    totals.amount_yuan as total_amount_yuan,
    units.amount_yuan as units_amount_yuan
from by_dimension
inner join totals
    on by_dimension.year = totals.year and by_dimension.quarter = totals.quarter
left join units
    on by_dimension.year = units.year and by_dimension.quarter = units.quarter
where
    by_dimension.amount_yuan <> totals.amount_yuan
    or by_dimension.ytd_yuan <> totals.ytd_yuan
    or coalesce(units.amount_yuan, 0) <> totals.amount_yuan
