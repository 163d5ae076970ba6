-- Every active unit-quarter with its platform, reported and canteen amounts (zeros if none).
with active as (
    select * from {{ ref('int_units__active_quarters') }}
),

orders as (
    select * from {{ ref('int_orders__counted') }}
),

purchases as (
    select * from {{ ref('int_purchases__unioned') }}
),

reports as (
    select * from {{ ref('int_reports__latest') }}
),

lines as (
    select * from {{ ref('stg_unit_reports__lines') }}
),

platform as (
    select
        unit_code,
        quarter_idx,
        sum(net_amount_yuan) as platform_yuan,
        sum(case when purchase_type = '食堂食材' then net_amount_yuan else 0 end)
            as canteen_platform_yuan
    from orders
    where is_counted and unit_code is not null
    group by unit_code, quarter_idx
),

reported_other as (
    select
        unit_code,
        quarter_idx,
        sum(amount_yuan) as reported_other_yuan
    from purchases
    where purchase_source = 'report'
    group by unit_code, quarter_idx
),

reported_832 as (
    select
        reports.unit_code,
        reports.quarter_idx,
        sum(lines.amount_yuan) as reported_832_yuan
    from reports
    inner join lines on reports.report_file_id = lines.report_file_id
    where lines.channel = '832平台'
    group by reports.unit_code, reports.quarter_idx
)

select
    active.unit_code,
    active.unit_name,
    active.unit_type,
    active.district,
    active.must_report,
    active.year,
    active.quarter,
    active.quarter_idx,
    {{ money('coalesce(platform.platform_yuan, 0)') }} as platform_yuan,
    {{ money('coalesce(platform.canteen_platform_yuan, 0)') }} as canteen_platform_yuan,
    {{ money('coalesce(reported_other.reported_other_yuan, 0)') }} as reported_other_yuan,
    {{ money('coalesce(reported_832.reported_832_yuan, 0)') }} as reported_832_yuan
from active
left join platform
    on active.unit_code = platform.unit_code and active.quarter_idx = platform.quarter_idx
left join reported_other
    on
        active.unit_code = reported_other.unit_code
        and active.quarter_idx = reported_other.quarter_idx
left join reported_832
    on
        active.unit_code = reported_832.unit_code
        and active.quarter_idx = reported_832.quarter_idx
