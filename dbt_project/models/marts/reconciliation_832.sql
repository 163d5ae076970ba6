-- SPEC 4.6: reported 832平台 amounts against the platform export, per unit and quarter.
with amounts as (
    select * from {{ ref('int_unit_quarter__amounts') }}
    where reported_832_yuan <> 0 or platform_yuan <> 0
),

diffs as (
    select
        *,
        abs(reported_832_yuan - platform_yuan) as abs_diff_yuan
    from amounts
)

select
    cast(unit_code as varchar) as unit_code,
    cast(year as integer) as year,
    cast(quarter as integer) as quarter,
    {{ money('reported_832_yuan') }} as reported_832_yuan,
    {{ money('platform_yuan') }} as platform_832_yuan,
    {{ safe_pct('reported_832_yuan - platform_yuan', 'platform_yuan') }} as diff_pct,
    cast(
        case
            when platform_yuan = 0
                then reported_832_yuan > {{ var('reconciliation_diff_yuan') }}
            else
                abs_diff_yuan * 100
                > abs(platform_yuan) * cast({{ var('reconciliation_diff_pct') }} as decimal(9, 4))
                and abs_diff_yuan > {{ var('reconciliation_diff_yuan') }}
        end as boolean
    ) as flagged
from diffs
