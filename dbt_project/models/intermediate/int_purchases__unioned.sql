-- A view: its rows are a filtered copy of int_orders__counted (millions at 10M orders) plus
-- the report lines; writing them out cost more than the two models that read it.
{{ config(materialized='view') }}

-- One row per counted purchase of a registered unit: platform orders (channel 832平台,
-- net amount) and the winning reports' lines of every channel but 832平台 (SPEC 4.1).
with orders as (
    select * from {{ ref('int_orders__counted') }}
),

reports as (
    select * from {{ ref('int_reports__latest') }}
),

lines as (
    select * from {{ ref('stg_unit_reports__lines') }}
),

active as (
    select * from {{ ref('int_units__active_quarters') }}
),

platform as (
    select
        'platform' as purchase_source,
        order_id as record_id,
        unit_code,
        year,
        quarter,
        quarter_idx,
        '832平台' as channel,
        region_code,
        purchase_type,
        net_amount_yuan as amount_yuan
    from orders
    where is_counted and unit_code is not null
),

reported as (
    select
        'report' as purchase_source,
        cast(lines.report_file_id as varchar) || '-' || cast(lines.source_row_number as varchar)
            as record_id,
        reports.unit_code,
        reports.period_year as year,
        reports.period_quarter as quarter,
        reports.quarter_idx,
        lines.channel,
        lines.region_code,
        cast(null as varchar) as purchase_type,
        lines.amount_yuan
    from reports
    inner join lines on reports.report_file_id = lines.report_file_id
    inner join active
        on
            reports.unit_code = active.unit_code
            and reports.quarter_idx = active.quarter_idx
    where lines.channel <> '832平台'
)

select * from platform
union all
select * from reported
