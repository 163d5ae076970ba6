{#- Quarter arithmetic that runs on DuckDB and PostgreSQL alike.
    A quarter index is year * 4 + quarter - 1, so consecutive quarters differ by 1. -#}

{% macro quarter_index(year, quarter) -%}
    ((({{ year }}) * 4) + ({{ quarter }}) - 1)
{%- endmacro %}

{% macro year_of_index(idx) -%}
    cast((({{ idx }}) - mod({{ idx }}, 4)) / 4 as integer)
{%- endmacro %}

{% macro quarter_of_index(idx) -%}
    cast(mod({{ idx }}, 4) + 1 as integer)
{%- endmacro %}

{% macro year_of(ts) -%}
    cast(extract(year from {{ ts }}) as integer)
{%- endmacro %}

{% macro quarter_of(ts) -%}
    cast(extract(quarter from {{ ts }}) as integer)
{%- endmacro %}

{#- SPEC 4.7: the `day`-th of the month after the quarter ends. -#}
{% macro report_deadline(year, quarter, day) -%}
    make_date(
        cast(({{ year }}) + case when ({{ quarter }}) = 4 then 1 else 0 end as integer),
        cast(mod({{ quarter }}, 4) * 3 + 1 as integer),
        cast({{ day }} as integer)
    )
{%- endmacro %}

{% macro quarter_first_day(year, quarter) -%}
    make_date(cast({{ year }} as integer), cast(({{ quarter }}) * 3 - 2 as integer), 1)
{%- endmacro %}

{% macro quarter_last_day(year, quarter) -%}
    cast({{ report_deadline(year, quarter, 1) }} - 1 as date)
{%- endmacro %}
