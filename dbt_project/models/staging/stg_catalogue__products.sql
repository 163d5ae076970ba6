with source as (
    select * from {{ source('catalogue', 'products') }}
),

renamed as (
    select
        trim(product_code) as product_code,
        trim(product_name) as product_name,
        trim(category) as category,
        trim(region_code) as region_code,
        trim(supplier_name) as supplier_name,
        ref_price_yuan,
        trim(measure_unit) as measure_unit,
        trim(annual_capacity) as annual_capacity,
        trim(listing_period) as listing_period,
        households_helped,
        trim(status) as status,
        nullif(trim(exit_reason), '') as exit_reason,
        updated_on,
        _file_id as file_id,
        _row_number as source_row_number
    from source
)

select * from renamed
