-- The dynamic exit mechanism (measures 12 and 18): products and sites proposed for exit,
-- one row per candidate and rule that fired, as of the latest quarter of the grid.
with grid as (
    select * from {{ ref('int_quarters__grid') }}
),

latest_quarter as (
    select
        max(quarter_idx) as quarter_idx,
        min(quarter_idx) as first_idx
    from grid
),

as_of as (
    select
        grid.year,
        grid.quarter,
        grid.quarter_idx,
        latest_quarter.first_idx
    from grid
    inner join latest_quarter on grid.quarter_idx = latest_quarter.quarter_idx
),

products as (
    select * from {{ ref('catalogue_current') }}
    where status = '在库'
),

category_medians as (
    select
        category,
        percentile_cont(0.5) within group (order by ref_price_yuan) as median_price
    from products
    where ref_price_yuan is not null
    group by category
),

price_rule as (
    select
        'product' as candidate_type,
        products.product_code as candidate_code,
        products.product_name as candidate_name,
        'price_above_category_median' as rule,
        '参考价格' || cast(products.ref_price_yuan as varchar) || '元，超过品类“'
        || products.category || '”中位数'
        || cast({{ money('category_medians.median_price') }} as varchar) || '元的'
        || cast({{ var('price_multiple_of_category_median') }} as varchar) || '倍' as detail
    from products
    inner join category_medians on products.category = category_medians.category
    where
        products.ref_price_yuan
        > cast({{ var('price_multiple_of_category_median') }} as double precision)
        * category_medians.median_price
),

window_start as (
    select
        as_of.quarter_idx - {{ var('product_quarters_without_sales') }} + 1 as quarter_idx,
        as_of.first_idx
    from as_of
),

sold as (
    select distinct orders.product_code
    from {{ ref('int_orders__counted') }} as orders
    cross join window_start
    where
        orders.is_counted
        and orders.net_amount_yuan > 0
        and orders.quarter_idx >= window_start.quarter_idx
),

no_sales_rule as (
    select
        'product' as candidate_type,
        products.product_code as candidate_code,
        products.product_name as candidate_name,
        'no_platform_sales' as rule,
        '连续' || cast({{ var('product_quarters_without_sales') }} as varchar)
        || '个季度无832平台销售' as detail
    from products
    cross join window_start
    left join sold on products.product_code = sold.product_code
    where
        sold.product_code is null
        and window_start.quarter_idx >= window_start.first_idx
        and products.first_listed_on < {{ quarter_first_day(
            year_of_index('window_start.quarter_idx'),
            quarter_of_index('window_start.quarter_idx')
        ) }}
),

sites as (
    select
        *,
        {{ quarter_index('year', 'quarter') }} as quarter_idx
    from {{ ref('site_quarter') }}
),

latest_site_quarter as (
    select max(quarter_idx) as quarter_idx from sites
),

site_declines as (
    select
        sites.site_code,
        max(sites.site_name) as site_name,
        sum(case when sites.declined then 1 else 0 end) as declines
    from sites
    inner join latest_site_quarter
        on
            sites.quarter_idx
            > latest_site_quarter.quarter_idx - {{ var('site_quarters_of_decline') }}
    group by sites.site_code
),

site_rule as (
    select
        'site' as candidate_type,
        site_code as candidate_code,
        site_name as candidate_name,
        'site_sales_declining' as rule,
        '销售额连续' || cast({{ var('site_quarters_of_decline') }} as varchar) || '个季度下降'
            as detail
    from site_declines
    where declines >= {{ var('site_quarters_of_decline') }}
),

quarantined_suppliers as (
    select
        {{ json_text('raw', '供应商名称') }} as supplier_name,
        count(*) as quarantined_rows
    from {{ ref('quarantine') }}
    where row_number is not null and source in ('platform_orders', 'catalogue')
    group by {{ json_text('raw', '供应商名称') }}
),

supplier_rule as (
    select
        'supplier' as candidate_type,
        supplier_name as candidate_code,
        supplier_name as candidate_name,
        'supplier_quarantine_rows' as rule,
        '被隔离数据' || cast(quarantined_rows as varchar) || '行' as detail
    from quarantined_suppliers
    where
        supplier_name is not null
        and quarantined_rows >= {{ var('supplier_quarantine_rows') }}
),

candidates as (
    select * from price_rule
    union all
    select * from no_sales_rule
    union all
    select * from site_rule
    union all
    select * from supplier_rule
)

select
    cast(candidates.candidate_type as varchar) as candidate_type,
    cast(candidates.candidate_code as varchar) as candidate_code,
    cast(candidates.candidate_name as varchar) as candidate_name,
    cast(candidates.rule as varchar) as rule,
    cast(candidates.detail as varchar) as detail,
    cast(as_of.year as integer) as year,
    cast(as_of.quarter as integer) as quarter
from candidates
cross join as_of
