-- SPEC 3.5: the current state of each catalogue product (latest 更新日期 wins).
with products as (
    select
        *,
        row_number() over (
            partition by product_code
            order by updated_on desc, file_id desc, source_row_number desc
        ) as version_rank,
        min(updated_on) over (partition by product_code) as first_listed_on
    from {{ ref('stg_catalogue__products') }}
),

regions as (
    select
        region_code,
        province,
        prefecture,
        county,
        paired,
        row_number() over (
            partition by region_code order by file_id desc, source_row_number desc
        ) as version_rank
    from {{ ref('stg_reference__regions') }}
)

select
    cast(products.product_code as varchar) as product_code,
    cast(products.product_name as varchar) as product_name,
    cast(products.category as varchar) as category,
    cast(products.region_code as varchar) as region_code,
    cast(regions.province as varchar) as province,
    cast(regions.prefecture as varchar) as prefecture,
    cast(regions.county as varchar) as county,
    cast(regions.paired as boolean) as paired,
    cast(products.supplier_name as varchar) as supplier_name,
    {{ money('products.ref_price_yuan') }} as ref_price_yuan,
    cast(products.measure_unit as varchar) as measure_unit,
    cast(products.annual_capacity as varchar) as annual_capacity,
    cast(products.listing_period as varchar) as listing_period,
    cast(products.households_helped as integer) as households_helped,
    cast(products.status as varchar) as status,
    cast(products.exit_reason as varchar) as exit_reason,
    cast(products.updated_on as date) as updated_on,
    cast(products.first_listed_on as date) as first_listed_on
from products
left join regions
    on products.region_code = regions.region_code and regions.version_rank = 1
where products.version_rank = 1
