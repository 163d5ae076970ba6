-- What the incremental order models were last built from (macros/orders_state.sql): every
-- platform order file folded in with its hash and row count, and both models' SQL
-- checksums. Built after them: a failed build leaves the last one.
-- depends_on: {{ ref('int_orders__counted') }}
with files as (
    select
        _file_id as file_id,
        count(*) as row_count
    from {{ source('platform', 'orders') }}
    group by _file_id
)

select
    files.file_id,
    ledger_files.sha256 as file_sha256,
    files.row_count,
    '{{ model_checksum("int_orders__latest") }}' as latest_checksum,  -- noqa: LT05
    '{{ model_checksum("int_orders__counted") }}' as counted_checksum  -- noqa: LT05
from files
left join {{ source('ledger', 'files') }} as ledger_files
    on files.file_id = ledger_files.file_id
