-- SPEC 4.8: the city's totals by unit_type, district, paired region (prefecture) and
-- channel, plus the city total, with year to date, base and growth.
with units as (
    select * from {{ ref('kpi_unit_quarter') }}
),

purchases as (
    select * from {{ ref('int_purchases__unioned') }}
),

regions as (
    select distinct
        region_code,
        prefecture,
        paired
    from {{ ref('stg_reference__regions') }}
),

grid as (
    select * from {{ ref('int_quarters__grid') }}
),

by_member as (
    select
        year,
        quarter,
        'total' as dimension,
        '全市' as member,
        amount_total_yuan as amount_yuan
    from units
    union all
    select
        year,
        quarter,
        'unit_type' as dimension,
        unit_type as member,
        amount_total_yuan as amount_yuan
    from units
    union all
    select
        year,
        quarter,
        'district' as dimension,
        coalesce(district, '市级') as member,
        amount_total_yuan as amount_yuan
    from units
    union all
    select
        purchases.year,
        purchases.quarter,
        'region' as dimension,
        case
            when regions.paired then regions.prefecture
            when regions.region_code is not null then '非结对地区'
            else '未知地区'
        end as member,
        purchases.amount_yuan
    from purchases
    left join regions on purchases.region_code = regions.region_code
    union all
    select
        year,
        quarter,
        'channel' as dimension,
        channel as member,
        amount_yuan
    from purchases
),

members as (
    select distinct
        dimension,
        member
    from by_member
    union
    select
        'total' as dimension,
        '全市' as member
),

summed as (
    select
        year,
        quarter,
        dimension,
        member,
        sum(amount_yuan) as amount_yuan
    from by_member
    group by year, quarter, dimension, member
),

filled as (
    select
        grid.year,
        grid.quarter,
        members.dimension,
        members.member,
        coalesce(summed.amount_yuan, 0) as amount_yuan
    from grid
    cross join members
    left join summed
        on
            grid.year = summed.year
            and grid.quarter = summed.quarter
            and members.dimension = summed.dimension
            and members.member = summed.member
),

ytd as (
    select
        *,
        sum(amount_yuan) over (
            partition by dimension, member, year
            order by quarter
            rows between unbounded preceding and current row
        ) as ytd_yuan
    from filled
),

with_base as (
    select
        cur.*,
        prev.ytd_yuan as base_yuan
    from ytd as cur
    left join ytd as prev
        on
            cur.dimension = prev.dimension
            and cur.member = prev.member
            and cur.year - 1 = prev.year
            and cur.quarter = prev.quarter
)

select
    cast(year as integer) as year,
    cast(quarter as integer) as quarter,
    cast(dimension as varchar) as dimension,
    cast(member as varchar) as member,
    {{ money('amount_yuan') }} as amount_yuan,
    {{ money('ytd_yuan') }} as ytd_yuan,
    {{ money('base_yuan') }} as ytd_base_yuan,
    {{ safe_pct('ytd_yuan - base_yuan', 'base_yuan') }} as growth_ytd_pct
from with_base
