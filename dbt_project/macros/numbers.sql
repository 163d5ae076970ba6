{#- Exact arithmetic on both targets: DuckDB turns DECIMAL / DECIMAL into DOUBLE,
    so percentages are computed in integer cents and rounded half away from zero. -#}

{% macro int_div(a, b) -%}
    {%- if target.type == 'postgres' -%}
        div({{ a }}, {{ b }})
    {%- else -%}
        (({{ a }}) // ({{ b }}))
    {%- endif -%}
{%- endmacro %}

{% macro big_int(x) -%}
    {%- if target.type == 'postgres' -%}
        cast({{ x }} as numeric(38, 0))
    {%- else -%}
        cast({{ x }} as hugeint)
    {%- endif -%}
{%- endmacro %}

{#- num / den x 100, as DECIMAL(18,2); null where den is null or 0 (SPEC §5). -#}
{% macro safe_pct(num, den) -%}
    cast(
        case
            when ({{ den }}) is null or ({{ den }}) = 0 or ({{ num }}) is null then null
            else
                sign({{ num }}) * sign({{ den }})
                * {{ int_div(
                    big_int('abs(' ~ num ~ ') * 100') ~ ' * 20000 + '
                    ~ big_int('abs(' ~ den ~ ') * 100'),
                    big_int('abs(' ~ den ~ ') * 100') ~ ' * 2'
                ) }}
                * cast(0.01 as decimal(3, 2))
        end
        as decimal(18, 2)
    )
{%- endmacro %}

{% macro money(x) -%}
    cast({{ x }} as decimal(18, 2))
{%- endmacro %}

{#- a value of a JSON object stored as text (ledger.quarantine.raw) -#}
{% macro json_text(col, key) -%}
    {%- if target.type == 'postgres' -%}
        (cast({{ col }} as json) ->> '{{ key }}')
    {%- else -%}
        json_extract_string({{ col }}, '$."{{ key }}"')
    {%- endif -%}
{%- endmacro %}
