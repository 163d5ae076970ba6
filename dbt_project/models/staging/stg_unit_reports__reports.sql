with source as (
    select * from {{ source('unit_reports', 'reports') }}
),

renamed as (
    select
        report_file_id,
        trim(unit_name) as unit_name,
        upper(trim(unit_code)) as unit_code,
        period_year,
        period_quarter,
        submitted_on,
        trim(amount_unit) as amount_unit,
        total_yuan,
        _file_id as file_id
    from source
)

select * from renamed
