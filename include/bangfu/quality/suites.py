"""Great Expectations suites (files in `expectations/`) run on dataframes.

GX through SQLAlchemy on DuckDB silently validates nothing (STACK-NOTES), so each table
is read into pandas (read-only; only the columns the suite needs) and validated with an
ephemeral, offline context. Each suite file names its table in `meta.table` and the
columns that locate a row in `meta.index_columns`; each expectation's `meta` carries
`check` (the severity key in `quality.severities`) and `description` (Chinese, used in
the finding). A suite with `meta.chunk_by` is validated by groups of files, with a cache
of per-file results (`bangfu.quality.chunked`).

Any other suite's outcome is cached whole in `<cache>/<suite>/whole/<key>.json`, where
`key` hashes `chunked.suite_key` (the suite file, the GX version, the target and engine,
`chunked.FORMAT`) and the table's fingerprint (`WarehouseReader.table_fingerprint`: row
count, column names and types, an order-independent hash of the rows' values in the
columns the suite reads).
A cached outcome is the GX result as first written (its `meta` then says `from_cache`),
so findings are the same. Reading an entry touches it; the end of `run_suites` prunes the
cache (`bangfu.quality.gate_cache`: this entry and the few most recently used are kept).
GX itself is imported only when some suite or file is not in the cache: a run over an
unchanged warehouse does not import it at all.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bangfu.quality.findings import Finding

if TYPE_CHECKING:
    from bangfu.config import Config
    from bangfu.quality.gate_cache import SuiteUse
    from bangfu.quality.reader import WarehouseReader

PROJECT_EXPECTATIONS = Path(__file__).resolve().parents[3] / "expectations"
MAX_ROWS_LISTED = 20


def expectations_dir(config: Config) -> Path:
    configured = config.quality.get("expectations_dir") or ""
    return Path(configured) if configured else PROJECT_EXPECTATIONS


def load_suite_files(folder: Path) -> list[dict[str, Any]]:
    """Every `*.json` suite in the folder, sorted by name, with `_path` and `_sha256` (of
    the file's bytes) added. Raises ValueError for a suite without `meta.table` or with a
    `meta.chunk_by` its expectations do not allow."""
    from bangfu.quality.chunked import check_chunkable

    suites = []
    for path in sorted(folder.glob("*.json")):
        content = path.read_bytes()
        data = json.loads(content.decode("utf-8"))
        if "table" not in data.get("meta", {}):
            raise ValueError(f"suite {path} has no meta.table")
        check_chunkable(data, path)
        data["_path"] = str(path)
        data["_sha256"] = hashlib.sha256(content).hexdigest()
        suites.append(data)
    return suites


def _offline_context():
    """An ephemeral GX context with analytics and progress bars off (no network, no files)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    cfg = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
    )
    return gx.get_context(mode="ephemeral", project_config=cfg)


class _Validator:
    """`validate(df, expectations, result_format)` -> GX result as a JSON dict; the GX
    context is made (and GX imported) on the first call."""

    def __init__(self) -> None:
        self._batch_definition: Any = None

    def __call__(self, df, expectations: list[dict[str, Any]], result_format: Any) -> dict:
        import copy

        from great_expectations.core import ExpectationSuite

        if self._batch_definition is None:
            asset = _offline_context().data_sources.add_pandas("warehouse")
            table = asset.add_dataframe_asset("table")
            self._batch_definition = table.add_batch_definition_whole_dataframe("whole")
        suite = ExpectationSuite(name="batch", expectations=copy.deepcopy(expectations))
        batch = self._batch_definition.get_batch(batch_parameters={"dataframe": df})
        return batch.validate(suite, result_format=result_format).to_json_dict()


def columns_needed(spec: dict[str, Any], available: list[str]) -> list[str] | None:
    """The table's columns the suite reads (its expectations', `index_columns`, `chunk_by`),
    in table order; None (every column) when an expectation looks at the table's shape or
    filters rows with a `row_condition`. A column the table lacks is left out (GX then
    reports it missing, as it would on the whole table)."""
    meta = spec["meta"]
    wanted = set(meta.get("index_columns") or [])
    if meta.get("chunk_by"):
        wanted.add(meta["chunk_by"])
    for exp in spec["expectations"]:
        kwargs = exp.get("kwargs") or {}
        if exp["type"].startswith("expect_table_column") or kwargs.get("row_condition"):
            return None
        for key in ("column", "column_A", "column_B"):
            if isinstance(kwargs.get(key), str):
                wanted.add(kwargs[key])
        wanted.update(kwargs.get("column_list") or [])
    keep = [c for c in available if c in wanted]
    return keep or None


def run_suites(
    reader: WarehouseReader, config: Config, results_dir: Path, cache_dir: Path | None = None
) -> tuple[list[Finding], dict[str, bool]]:
    """Validate every suite's table; write each result as JSON; return findings.

    Only the columns a suite needs are read. A suite with `meta.chunk_by` is validated by
    groups of files (`bangfu.quality.chunked`), its per-file results kept in `cache_dir`;
    another suite's whole outcome is kept there too, by table fingerprint (none: no
    cache), which is pruned at the end (`bangfu.quality.gate_cache.prune`). Returns the
    findings and, per suite name, whether it passed.
    """
    from bangfu.quality.chunked import validate_chunked
    from bangfu.quality.gate_cache import SuiteUse, prune

    results_dir.mkdir(parents=True, exist_ok=True)
    validate = _Validator()
    findings: list[Finding] = []
    outcome: dict[str, bool] = {}
    specs = load_suite_files(expectations_dir(config))
    used: dict[str, SuiteUse] = {}
    for spec in specs:
        meta = spec["meta"]
        table, check = meta["table"], meta.get("check", "source_structure")
        chunk = meta.get("chunk_by")
        available = reader.columns(table) if reader.exists(table) else []
        problem = (
            f"表 {table} 不存在"
            if not available
            else f"表 {table} 没有分块列 {chunk}（meta.chunk_by），无法检查"
            if chunk and chunk not in available
            else None
        )
        if problem:
            findings.append(Finding(check, config.severity(check), "", "", problem, table))
            outcome[spec["name"]] = False
            continue
        columns = columns_needed(spec, available)
        index_cols = [c for c in meta.get("index_columns", []) if c in available]
        use = used[spec["name"]] = SuiteUse(reader.target)
        if chunk:
            payload = validate_chunked(
                spec,
                reader,
                validate,
                columns or available,
                index_cols,
                cache_dir,
                MAX_ROWS_LISTED,
                use,
            )
            failed = [r for r in payload["results"] if not r["success"]]
            detailed = {**payload, "results": failed}
        else:
            payload, detailed = _validate_cached(
                spec, reader, columns, available, validate, cache_dir, use
            )
        _write_json(results_dir / f"{spec['name']}.json", payload)
        outcome[spec["name"]] = bool(payload["success"])
        if detailed is None or not detailed["results"]:
            continue
        _write_json(results_dir / f"{spec['name']}.failures.json", detailed)
        for res in detailed["results"]:
            if not res["success"]:
                findings.append(_finding(table, res, index_cols, config))
    if cache_dir is not None:
        prune(cache_dir, {s["name"] for s in specs}, used)
    return findings, outcome


def _validate_cached(
    spec: dict[str, Any],
    reader: WarehouseReader,
    columns: list[str] | None,
    available: list[str],
    validate,
    cache_dir: Path | None,
    use: SuiteUse | None = None,
) -> tuple[dict, dict | None]:
    """`_validate_whole`, or its outcome from the cache when the table did not change;
    `use`, if given, gets the entry's path (pruning)."""
    from bangfu.quality.chunked import exception_message, store_entry, suite_key
    from bangfu.quality.gate_cache import touch, whole_entry

    table = spec["meta"]["table"]
    entry = None
    if cache_dir is not None:
        fingerprint = reader.table_fingerprint(table, columns or available)
        key = f"{suite_key(spec, reader, MAX_ROWS_LISTED)}|{fingerprint}"
        entry = whole_entry(cache_dir, spec["name"], key)
        if use is not None:
            use.whole = entry
        cached = _load_whole(entry)
        if cached is not None:
            touch(entry)
            payload, detailed = cached
            payload["meta"] = {**(payload.get("meta") or {}), "from_cache": True}
            return payload, detailed
    payload, detailed = _validate_whole(spec, reader.read(table, columns), validate)
    # as JSON, so an outcome is the same fresh or from the cache
    outcome = json.loads(
        json.dumps({"payload": payload, "detailed": detailed}, ensure_ascii=False, default=str)
    )
    results = outcome["payload"]["results"] + ((outcome["detailed"] or {}).get("results") or [])
    if entry is not None and not any(exception_message(r) for r in results):
        store_entry(entry, outcome)
    return outcome["payload"], outcome["detailed"]


def _load_whole(path: Path) -> tuple[dict, dict | None] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        return None
    return data["payload"], data.get("detailed")


def _validate_whole(spec: dict[str, Any], df, validate) -> tuple[dict, dict | None]:
    """The suite on the whole table: BASIC first (about 3× cheaper than COMPLETE), then the
    failing expectations again with COMPLETE results to locate their rows."""
    meta = spec["meta"]
    index_cols = [c for c in meta.get("index_columns", []) if c in df.columns]
    payload = validate(df, spec["expectations"], "BASIC")
    payload["suite_name"] = spec["name"]
    failed = [r["expectation_config"] for r in payload["results"] if not r["success"]]
    if not failed:
        return payload, None
    again = [
        {
            "type": c["type"],
            "kwargs": {k: v for k, v in c["kwargs"].items() if k != "batch_id"},
            "meta": c.get("meta") or {},
        }
        for c in failed
    ]
    result_format: dict[str, Any] = {"result_format": "COMPLETE"}
    if index_cols:
        result_format["unexpected_index_column_names"] = index_cols
    detailed = validate(df, again, result_format)
    detailed["suite_name"] = f"{spec['name']}.failures"
    return payload, detailed


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(
        json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )


def _finding(table: str, res: dict[str, Any], index_cols: list[str], config: Config) -> Finding:
    cfg = res["expectation_config"]
    meta = cfg.get("meta") or {}
    check = meta.get("check", "source_structure")
    kwargs = {k: v for k, v in cfg["kwargs"].items() if k != "batch_id"}
    column = kwargs.get("column") or "、".join(
        str(kwargs[k]) for k in ("column_A", "column_B") if k in kwargs
    )
    if not column and "column_list" in kwargs:
        column = "+".join(kwargs["column_list"])
    rule = meta.get("description") or cfg["type"]
    info = res.get("result") or {}
    exc = (res.get("exception_info") or {}).get("exception_message")
    if exc:
        detail = f"{table} 列 {column}：无法检查「{rule}」（{exc}）"
    elif "unexpected_count" in info:
        samples = "、".join(
            repr(v) if not isinstance(v, list) else "/".join(map(str, v))
            for v in _distinct(info.get("partial_unexpected_list") or [])[:5]
        )
        detail = f"{table} 列 {column}：{info['unexpected_count']} 行不符合「{rule}」" + (
            f"，例：{samples}" if samples else ""
        )
    else:
        observed = info.get("observed_value")
        detail = f"{table}{f' 列 {column}' if column else ''}：不符合「{rule}」" + (
            f"（实际：{observed}）" if observed is not None else ""
        )
    refs = []
    for row in (info.get("unexpected_index_list") or [])[:MAX_ROWS_LISTED]:
        if isinstance(row, dict) and index_cols:
            refs.append(f"{table}[" + ",".join(f"{c}={row.get(c)}" for c in index_cols) + "]")
    total = info.get("unexpected_index_count", len(info.get("unexpected_index_list") or []))
    if total > MAX_ROWS_LISTED:
        refs.append(f"…共 {total} 行")
    return Finding(check, config.severity(check), "", "", detail, "; ".join(refs) or table)


def _distinct(values: list[Any]) -> list[Any]:
    seen, out = set(), []
    for v in values:
        key = json.dumps(v, default=str, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out
