-- SPEC 4.4: canteen reserved share and its completion, per active unit and quarter.
with amounts as (
    select * from {{ ref('int_unit_quarter__amounts') }}
),

plans as (
    select
        *,
        row_number() over (
            partition by unit_code, plan_year
            order by file_id desc, source_row_number desc
        ) as version_rank
    from {{ ref('stg_canteen__plans') }}
),

latest_plans as (
    select * from plans
    where version_rank = 1
),

ytd as (
    select
        unit_code,
        year,
        quarter,
        sum(canteen_platform_yuan) over (
            partition by unit_code, year
            order by quarter
            rows between unbounded preceding and current row
        ) as purchased_ytd_yuan
    from amounts
),

joined as (
    select
        ytd.unit_code,
        ytd.year,
        ytd.quarter,
        ytd.purchased_ytd_yuan,
        latest_plans.has_canteen,
        latest_plans.unit_code is not null as has_plan,
        case when latest_plans.has_canteen then latest_plans.reserved_yuan end as reserved_yuan,
        case when latest_plans.has_canteen then latest_plans.reserve_ratio end as reserve_ratio
    from ytd
    left join latest_plans
        on ytd.unit_code = latest_plans.unit_code and ytd.year = latest_plans.plan_year
)

select
    cast(unit_code as varchar) as unit_code,
    cast(year as integer) as year,
    cast(quarter as integer) as quarter,
    {{ money('reserved_yuan') }} as reserved_yuan,
    cast(reserve_ratio as decimal(9, 4)) as reserve_ratio,
    {{ money('purchased_ytd_yuan') }} as purchased_ytd_yuan,
    {{ safe_pct('purchased_ytd_yuan', 'reserved_yuan') }} as completion_pct,
    cast(
        case
            when not has_plan then '未报计划'
            when not has_canteen then '无食堂'
            when reserved_yuan is null then '未报计划'
            when purchased_ytd_yuan >= reserved_yuan then '已完成'
            when purchased_ytd_yuan * 4 >= reserved_yuan * quarter then '进度正常'
            else '进度滞后'
        end as varchar
    ) as status
from joined
