with source as (
    select * from {{ source('ledger', 'files') }}
),

renamed as (
    select
        file_id,
        trim(source) as source_name,
        path as file_path,
        sha256 as file_sha256,
        outcome,
        rows_landed,
        rows_loaded,
        rows_quarantined,
        ingested_at
    from source
)

select * from renamed
