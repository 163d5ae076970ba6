-- SPEC 3.6: each 五专 site's sales per quarter (latest row per site and period wins),
-- with the previous quarter's sales for the exit rule.
with sales as (
    select
        *,
        {{ quarter_index('period_year', 'period_quarter') }} as quarter_idx,
        row_number() over (
            partition by site_code, period_year, period_quarter
            order by file_id desc, source_row_number desc
        ) as version_rank
    from {{ ref('stg_sites__sales') }}
),

latest as (
    select * from sales
    where version_rank = 1
)

select
    cast(cur.site_code as varchar) as site_code,
    cast(cur.period_year as integer) as year,
    cast(cur.period_quarter as integer) as quarter,
    cast(cur.site_type as varchar) as site_type,
    cast(cur.site_name as varchar) as site_name,
    cast(cur.district as varchar) as district,
    cast(cur.operator as varchar) as operator,
    cast(cur.opened_on as date) as opened_on,
    cast(cur.status as varchar) as status,
    {{ money('cur.sales_yuan') }} as sales_yuan,
    {{ money('prev.sales_yuan') }} as prev_quarter_sales_yuan,
    cast(coalesce(cur.sales_yuan < prev.sales_yuan, false) as boolean) as declined
from latest as cur
left join latest as prev
    on cur.site_code = prev.site_code and cur.quarter_idx - 1 = prev.quarter_idx
