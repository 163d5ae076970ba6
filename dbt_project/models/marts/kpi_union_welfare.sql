-- SPEC 4.5: trade-union welfare per active unit and year; the latest 报送期 of a year
-- stands for that year to date.
with active as (
    select distinct
        unit_code,
        year
    from {{ ref('int_units__active_quarters') }}
),

welfare as (
    select
        *,
        row_number() over (
            partition by unit_code, welfare_year
            order by period_year desc, period_quarter desc, file_id desc, source_row_number desc
        ) as version_rank
    from {{ ref('stg_union_welfare__reports') }}
),

joined as (
    select
        active.unit_code,
        active.year,
        coalesce(welfare.welfare_total_yuan, 0) as welfare_total_yuan,
        coalesce(welfare.special_yuan, 0) as special_yuan
    from active
    left join welfare
        on
            active.unit_code = welfare.unit_code
            and active.year = welfare.welfare_year
            and welfare.version_rank = 1
),

shares as (
    select
        *,
        {{ safe_pct('special_yuan', 'welfare_total_yuan') }} as share_pct
    from joined
)

select
    cast(unit_code as varchar) as unit_code,
    cast(year as integer) as year,
    {{ money('welfare_total_yuan') }} as welfare_total_yuan,
    {{ money('special_yuan') }} as special_yuan,
    share_pct,
    cast(
        case
            when share_pct is not null
                then
                    special_yuan * 100
                    >= welfare_total_yuan
                    * cast({{ var('union_min_special_share_pct') }} as decimal(9, 4))
        end as boolean
    ) as compliant
from shares
