-- The registry rows int_orders__counted was last built with (macros/orders_state.sql):
-- the next build recomputes the orders of the units whose rows differ from these.
-- depends_on: {{ ref('int_orders__counted') }}
select distinct
    unit_code,
    valid_from,
    valid_until
from {{ ref('int_units__registry') }}
