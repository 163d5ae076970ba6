-- Every quarter from the first with data to max(the latest with data, the through var).
with data_quarters as (
    select {{ quarter_index(year_of('ordered_at'), quarter_of('ordered_at')) }} as quarter_idx
    from {{ ref('stg_platform__orders') }}
    union all
    select {{ quarter_index('period_year', 'period_quarter') }} as quarter_idx
    from {{ ref('stg_unit_reports__reports') }}
    union all
    select {{ quarter_index('period_year', 'period_quarter') }} as quarter_idx
    from {{ ref('stg_union_welfare__reports') }}
    union all
    select {{ quarter_index('period_year', 'period_quarter') }} as quarter_idx
    from {{ ref('stg_sites__sales') }}
),

through as (
    select
        case
            when {{ var('through_year', 0) }} > 0
                then {{ quarter_index(var('through_year', 0), var('through_quarter', 4)) }}
        end as quarter_idx
),

bounds as (
    select
        coalesce(min(d.quarter_idx), max(t.quarter_idx)) as first_idx,
        case
            when max(t.quarter_idx) is null then max(d.quarter_idx)
            when max(d.quarter_idx) is null then max(t.quarter_idx)
            when max(t.quarter_idx) > max(d.quarter_idx) then max(t.quarter_idx)
            else max(d.quarter_idx)
        end as last_idx
    from through as t
    left join data_quarters as d on 1 = 1
),

digits as (
    select d.digit
    from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)
    ) as d (digit)
),

numbers as (
    select units_digit.digit + 10 * tens.digit + 100 * hundreds.digit as n
    from digits as units_digit
    cross join digits as tens
    cross join digits as hundreds
),

grid as (
    select bounds.first_idx + numbers.n as quarter_idx
    from bounds
    inner join numbers on bounds.first_idx + numbers.n <= bounds.last_idx
)

select
    quarter_idx,
    {{ year_of_index('quarter_idx') }} as year,
    {{ quarter_of_index('quarter_idx') }} as quarter,
    {{ quarter_first_day(year_of_index('quarter_idx'), quarter_of_index('quarter_idx')) }}
        as first_day,
    {{ quarter_last_day(year_of_index('quarter_idx'), quarter_of_index('quarter_idx')) }}
        as last_day
from grid
