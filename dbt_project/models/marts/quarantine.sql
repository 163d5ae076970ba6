-- SPEC §5/§6: every row or file that was not loaded, with its reason.
select
    cast(source_name as varchar) as source,
    cast(file_sha256 as varchar) as file_sha256,
    cast(source_row_number as integer) as row_number,
    cast(reason as varchar) as reason,
    cast(raw_row as varchar) as raw,
    cast(file_id as integer) as file_id,
    cast(file_path as varchar) as file_path
from {{ ref('stg_ledger__quarantine') }}
