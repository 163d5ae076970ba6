-- For each unit and period the winning report: latest submitted_on, then the file
-- ingested last. Earlier reports stay in stg_unit_reports__reports (history).
with reports as (
    select * from {{ ref('stg_unit_reports__reports') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by unit_code, period_year, period_quarter
            order by submitted_on desc, file_id desc
        ) as version_rank,
        min(submitted_on) over (
            partition by unit_code, period_year, period_quarter
        ) as first_submitted_on,
        count(*) over (
            partition by unit_code, period_year, period_quarter
        ) as versions
    from reports
)

select
    report_file_id,
    unit_code,
    unit_name,
    period_year,
    period_quarter,
    {{ quarter_index('period_year', 'period_quarter') }} as quarter_idx,
    submitted_on,
    first_submitted_on,
    versions
from ranked
where version_rank = 1
