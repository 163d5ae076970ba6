-- SPEC 4.1-4.3: each active unit's amount per quarter, year to date, base and status.
with amounts as (
    select * from {{ ref('int_unit_quarter__amounts') }}
),

totals as (
    select
        *,
        platform_yuan + reported_other_yuan as total_yuan
    from amounts
),

ytd as (
    select
        *,
        sum(total_yuan) over (
            partition by unit_code, year
            order by quarter
            rows between unbounded preceding and current row
        ) as ytd_yuan
    from totals
),

with_base as (
    select
        cur.*,
        prev.ytd_yuan as base_yuan
    from ytd as cur
    left join ytd as prev
        on
            cur.unit_code = prev.unit_code
            and cur.year - 1 = prev.year
            and cur.quarter = prev.quarter
)

select
    cast(unit_code as varchar) as unit_code,
    cast(unit_name as varchar) as unit_name,
    cast(unit_type as varchar) as unit_type,
    cast(district as varchar) as district,
    cast(year as integer) as year,
    cast(quarter as integer) as quarter,
    {{ money('platform_yuan') }} as amount_platform_yuan,
    {{ money('reported_other_yuan') }} as amount_reported_other_yuan,
    {{ money('total_yuan') }} as amount_total_yuan,
    {{ money('ytd_yuan') }} as ytd_total_yuan,
    {{ money('base_yuan') }} as ytd_base_yuan,
    {{ safe_pct('ytd_yuan - base_yuan', 'base_yuan') }} as growth_ytd_pct,
    cast(
        case
            when base_yuan is null or base_yuan = 0 then '无基期'
            when
                ytd_yuan * 100
                >= base_yuan * (100 + cast({{ var('growth_target_pct') }} as decimal(9, 4)))
                then '达标'
            when ytd_yuan >= base_yuan then '持平'
            else '未达标'
        end as varchar
    ) as growth_status
from with_base
