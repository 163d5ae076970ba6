with source as (
    select * from {{ source('sites', 'sales') }}
),

renamed as (
    select
        trim(site_code) as site_code,
        trim(site_type) as site_type,
        trim(site_name) as site_name,
        nullif(trim(district), '') as district,
        trim(operator) as operator,
        opened_on,
        trim(status) as status,
        period_year,
        period_quarter,
        sales_yuan,
        _file_id as file_id,
        _row_number as source_row_number
    from source
)

select * from renamed
