with source as (
    select * from {{ source('reference', 'units') }}
),

renamed as (
    select
        upper(trim(unit_code)) as unit_code,
        trim(unit_name) as unit_name,
        trim(unit_type) as unit_type,
        nullif(trim(district), '') as district,
        must_report,
        valid_from,
        valid_to,
        _file_id as file_id,
        _row_number as source_row_number
    from source
)

select * from renamed
