with source as (
    select * from {{ source('unit_reports', 'lines') }}
),

renamed as (
    select
        report_file_id,
        line_no,
        trim(channel) as channel,
        trim(region_code) as region_code,
        trim(region_name) as region_name,
        amount_yuan,
        nullif(trim(voucher_no), '') as voucher_no,
        voucher_count,
        remark,
        _file_id as file_id,
        _row_number as source_row_number
    from source
)

select * from renamed
