with source as (
    select * from {{ source('union_welfare', 'reports') }}
),

renamed as (
    select
        trim(unit_name) as unit_name,
        upper(trim(unit_code)) as unit_code,
        year as welfare_year,
        period_year,
        period_quarter,
        welfare_total_yuan,
        special_yuan,
        _file_id as file_id,
        _row_number as source_row_number
    from source
)

select * from renamed
