with source as (
    select * from {{ source('ledger', 'quarantine') }}
),

renamed as (
    select
        trim(source) as source_name,
        file_id,
        file_sha256,
        file_path,
        row_number as source_row_number,
        reason,
        raw as raw_row
    from source
)

select * from renamed
