-- SPEC 4.1/4.2: total = platform + other reports; YTD grows by exactly the quarter's
-- amount; the base is last year's YTD to the same quarter.
with units as (
    select * from {{ ref('kpi_unit_quarter') }}
)

select
    cur.unit_code,
    cur.year,
    cur.quarter
from units as cur
left join units as prev_quarter
    on
        cur.unit_code = prev_quarter.unit_code
        and cur.year = prev_quarter.year
        and cur.quarter - 1 = prev_quarter.quarter
left join units as last_year
    on
        cur.unit_code = last_year.unit_code
        and cur.year - 1 = last_year.year
        and cur.quarter = last_year.quarter
where
    cur.amount_total_yuan <> cur.amount_platform_yuan + cur.amount_reported_other_yuan
    or cur.ytd_total_yuan
    <> coalesce(prev_quarter.ytd_total_yuan, 0) + cur.amount_total_yuan
    or coalesce(cur.ytd_base_yuan, -1) <> coalesce(last_year.ytd_total_yuan, -1)
