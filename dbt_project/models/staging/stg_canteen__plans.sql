with source as (
    select * from {{ source('canteen', 'plans') }}
),

renamed as (
    select
        trim(unit_name) as unit_name,
        upper(trim(unit_code)) as unit_code,
        year as plan_year,
        has_canteen,
        budget_yuan,
        reserve_ratio,
        reserved_yuan,
        _file_id as file_id,
        _row_number as source_row_number
    from source
)

select * from renamed
