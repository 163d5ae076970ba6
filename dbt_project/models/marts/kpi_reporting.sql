-- SPEC 4.7: did each unit that must report file its first report by the deadline?
with active as (
    select * from {{ ref('int_units__active_quarters') }}
    where must_report
),

reports as (
    select * from {{ ref('int_reports__latest') }}
),

joined as (
    select
        active.unit_code,
        active.year,
        active.quarter,
        reports.first_submitted_on,
        {{ report_deadline('active.year', 'active.quarter', var('report_deadline_day')) }}
            as deadline
    from active
    left join reports
        on
            active.unit_code = reports.unit_code
            and active.quarter_idx = reports.quarter_idx
)

select
    cast(unit_code as varchar) as unit_code,
    cast(year as integer) as year,
    cast(quarter as integer) as quarter,
    cast(first_submitted_on as date) as first_submitted_on,
    cast(
        case
            when first_submitted_on is null then '未报'
            when first_submitted_on <= deadline then '按时'
            else '逾期'
        end as varchar
    ) as status,
    cast(deadline as date) as deadline
from joined
