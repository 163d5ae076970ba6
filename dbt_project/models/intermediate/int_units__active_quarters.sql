-- One row per unit active in the registry per grid quarter, with the unit's attributes
-- as the registry states them at the end of the quarter (or when it left, if earlier).
with registry as (
    select * from {{ ref('int_units__registry') }}
),

grid as (
    select * from {{ ref('int_quarters__grid') }}
),

overlapping as (
    select
        registry.unit_code,
        registry.unit_name,
        registry.unit_type,
        registry.district,
        registry.must_report,
        grid.quarter_idx,
        grid.year,
        grid.quarter,
        row_number() over (
            partition by registry.unit_code, grid.quarter_idx
            order by registry.valid_from desc
        ) as period_rank
    from registry
    inner join grid
        on
            registry.valid_from <= grid.last_day
            and registry.valid_until >= grid.first_day
)

select
    unit_code,
    unit_name,
    unit_type,
    district,
    must_report,
    quarter_idx,
    year,
    quarter
from overlapping
where period_rank = 1
