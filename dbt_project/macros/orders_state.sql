{#- Incremental order models. int_orders__latest and int_orders__counted fold in only
    the platform order files landed since the last build. Built after both,
    int_orders__state records every order file folded in (sha256, row count) and both
    models' SQL checksums, int_orders__state_registry the registry rows counted used.
    The raw orders are append-only by file id, so an earlier file that now differs or is
    gone (a rebuilt warehouse), edited model SQL or edited macros make the models build
    from scratch instead; a changed registry makes counted recompute the orders of the
    units whose rows changed. Macro edits are seen through the var bangfu_macros_checksum
    (a hash of macros/, passed by bangfu.transform): a dbt run started by hand without it
    records an empty one, so the next run with it builds from scratch. -#}

{#- The largest file id already folded in, or -1: build from scratch. -#}
{% macro orders_watermark(incremental, with_registry=false) -%}
    {%- set ns = namespace(mark=-1) -%}
    {%- if execute and incremental -%}
        {%- set state = adapter.get_relation(
            database=this.database, schema=this.schema, identifier='int_orders__state'
        ) -%}
        {%- if state is not none -%}
            {%- set check = orders_state_check(state) -%}
            {%- set row = run_query(check).rows[0] -%}
            {%- set ok = row[0] is not none and row[1] == 0
                and row[2] == model_checksum('int_orders__latest') | trim -%}
            {%- if ok and with_registry -%}
                {%- set ok = row[3] == model_checksum('int_orders__counted') | trim
                    and orders_state_registry() is not none -%}
            {%- endif -%}
            {%- if ok -%}{%- set ns.mark = row[0] -%}{%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ ns.mark }}
{%- endmacro %}

{#- The state against the raw layer now: its watermark, files that differ, checksums. -#}
{% macro orders_state_check(state) -%}
    with seen as (
        select file_id, file_sha256, row_count from {{ state }}
    ),

    now_files as (
        select
            orders._file_id as file_id,
            files.sha256 as file_sha256,
            count(*) as row_count
        from {{ source('platform', 'orders') }} as orders
        left join {{ source('ledger', 'files') }} as files
            on orders._file_id = files.file_id
        where orders._file_id <= (select max(seen.file_id) from seen)
        group by orders._file_id, files.sha256
    )

    select
        (select max(seen.file_id) from seen) as watermark,
        (
            select count(*)
            from seen
            full outer join now_files on seen.file_id = now_files.file_id
            where
                seen.file_id is null
                or now_files.file_id is null
                or seen.file_sha256 is distinct from now_files.file_sha256
                or seen.row_count != now_files.row_count
        ) as differences,
        (select max(latest_checksum) from {{ state }}) as latest_checksum,
        (select max(counted_checksum) from {{ state }}) as counted_checksum
{%- endmacro %}

{#- pre_hook: an incremental run that must build from scratch empties the table first. -#}
{% macro orders_reset_if_stale(with_registry=false) -%}
    {%- if execute and is_incremental()
        and (orders_watermark(true, with_registry) | trim | int) < 0 -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- The registry rows int_orders__counted was last built with (none: not built yet). -#}
{% macro orders_state_registry() -%}
    {{- return(adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_orders__state_registry'
    )) -}}
{%- endmacro %}

{#- The checksum of a model's SQL file and of the project's macros (empty while parsing). -#}
{% macro model_checksum(name) -%}
    {%- if execute -%}
        {{- graph.nodes['model.' ~ project_name ~ '.' ~ name].checksum.checksum -}}
        :{{- var('bangfu_macros_checksum', '') -}}
    {%- endif -%}
{%- endmacro %}
