-- The registry: one row per unit and validity period. A unit's code, type and district
-- are what the registry says on the date that matters (SPEC §2).
with units as (
    select * from {{ ref('stg_reference__units') }}
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by unit_code, valid_from
            order by file_id desc, source_row_number desc
        ) as version_rank
    from units
)

select
    unit_code,
    unit_name,
    unit_type,
    district,
    must_report,
    valid_from,
    valid_to,
    coalesce(valid_to, cast('9999-12-31' as date)) as valid_until
from deduplicated
where version_rank = 1
