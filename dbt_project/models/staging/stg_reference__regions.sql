with source as (
    select * from {{ source('reference', 'regions') }}
),

renamed as (
    select
        trim(region_code) as region_code,
        trim(province) as province,
        trim(prefecture) as prefecture,
        trim(county) as county,
        paired,
        nullif(trim(pairing), '') as pairing,
        _file_id as file_id,
        _row_number as source_row_number
    from source
)

select * from renamed
