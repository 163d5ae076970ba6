with source as (
    select * from {{ source('platform', 'orders') }}
),

renamed as (
    select
        trim(order_id) as order_id,
        ordered_at,
        updated_at,
        trim(buyer_name) as buyer_name,
        upper(trim(buyer_code)) as buyer_code,
        trim(supplier_name) as supplier_name,
        trim(product_code) as product_code,
        trim(product_name) as product_name,
        trim(product_category) as product_category,
        trim(region_code) as region_code,
        quantity,
        unit_price_yuan,
        order_amount_yuan,
        coalesce(refund_amount_yuan, 0) as refund_amount_yuan,
        trim(order_status) as order_status,
        trim(purchase_type) as purchase_type,
        _file_id as file_id,
        _row_number as source_row_number
    from source
)

select * from renamed
