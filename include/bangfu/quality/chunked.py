"""A suite validated file by file: chunks of whole files, merged results, an on-disk cache.

A suite whose `meta.chunk_by` names a file column (`_file_id`, `file_id`) is validated on
groups of whole files of at most `meta.chunk_rows` rows (default `CHUNK_ROWS`), each
group one GX batch, so memory stays bounded whatever the table's size. Only row-wise
expectations (and uniqueness over columns that include the file column) may be chunked:
`check_chunkable` refuses the others when the suite is loaded.

Each file's outcome per expectation is kept in `<out>/.gate-cache/<suite>/<target>-<key>/`,
where `target` is `duckdb` or `postgres` and `key` hashes `suite_key` (the suite file, the
GX version, the target and engine, `FORMAT`); the entry's name is the file's `sha256`
(from `ledger.files`), its row count in the table and a hash of its rows' values in the
columns the suite reads (so rows re-derived differently from the same file are validated
again). A later run reads and validates only the files not in
the cache. Findings do not depend on where results came from: a file's outcome is a
function of its rows only (its rows are put in index order before failures are located),
and the merge goes by `file_id`. The end of a gate run prunes the cache
(`bangfu.quality.gate_cache`): other key folders of the target, entries of files no longer
in the table.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from bangfu.quality.gate_cache import SuiteUse
    from bangfu.quality.reader import WarehouseReader

log = logging.getLogger(__name__)

CHUNK_ROWS = 1_000_000
FORMAT = "1"
ROW_WISE = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_not_match_regex_list",
        "expect_column_values_to_match_like_pattern",
        "expect_column_values_to_not_match_like_pattern",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_value_lengths_to_be_between",
        "expect_column_values_to_match_strftime_format",
        "expect_column_values_to_be_dateutil_parseable",
        "expect_column_values_to_be_json_parseable",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_to_be_in_set",
        "expect_multicolumn_sum_to_equal",
        "expect_select_column_values_to_be_unique_within_record",
    }
)
UNIQUENESS = {
    "expect_column_values_to_be_unique": "column",
    "expect_compound_columns_to_be_unique": "column_list",
}

# validate(df, expectations, result_format) -> GX result as a JSON dict
Validate = Callable[["pd.DataFrame", list[dict[str, Any]], Any], dict[str, Any]]


def check_chunkable(spec: dict[str, Any], path: Path) -> None:
    """Raise ValueError (naming the suite file) when `meta.chunk_by` would change results."""
    chunk = spec["meta"].get("chunk_by")
    if chunk is None:
        return
    if not isinstance(chunk, str) or not chunk:
        raise ValueError(f"suite {path}: meta.chunk_by must name a column, not {chunk!r}")
    rows = spec["meta"].get("chunk_rows", CHUNK_ROWS)
    if not isinstance(rows, int) or rows < 1:
        raise ValueError(f"suite {path}: meta.chunk_rows must be a positive integer")
    for exp in spec["expectations"]:
        kind, kwargs = exp["type"], exp.get("kwargs") or {}
        if kind in UNIQUENESS:
            cols = kwargs.get(UNIQUENESS[kind])
            cols = [cols] if isinstance(cols, str) else list(cols or [])
            if chunk not in cols:
                raise ValueError(
                    f"suite {path}: {kind} over {cols} cannot be checked per file "
                    f"(meta.chunk_by={chunk!r} is not among its columns)"
                )
        elif kind not in ROW_WISE:
            raise ValueError(
                f"suite {path}: {kind} is not a row-wise expectation and cannot be checked "
                f"per file (meta.chunk_by={chunk!r}); remove chunk_by or the expectation"
            )
        if kwargs.get("mostly", 1) != 1:
            raise ValueError(
                f"suite {path}: {kind} has mostly={kwargs['mostly']}; a fraction over the "
                f"whole table cannot be checked per file (meta.chunk_by={chunk!r})"
            )


def validate_chunked(
    spec: dict[str, Any],
    reader: WarehouseReader,
    validate: Validate,
    columns: list[str],
    index_cols: list[str],
    cache_dir: Path | None,
    max_listed: int,
    use: SuiteUse | None = None,
) -> dict[str, Any]:
    """Validate the suite's table file group by file group; return the merged result.
    `use`, if given, gets the key folder and the sha256 of the table's files (pruning)."""
    meta = spec["meta"]
    table, chunk = meta["table"], meta["chunk_by"]
    expectations = spec["expectations"]
    files = reader.file_fingerprints(table, chunk, columns)
    shas = reader.file_hashes()
    folder = _suite_folder(spec, reader, cache_dir, max_listed)
    if use is not None:
        use.folder = folder
        use.live = {shas[f] for f in files if f in shas}
    order = sorted(files, key=lambda f: (f is None, f or 0))
    outcomes: dict[int | None, list[dict[str, Any]]] = {}
    entries: dict[int | None, Path] = {}
    for fid in order:
        if folder is not None and fid is not None and fid in shas:
            rows, digest = files[fid]
            entries[fid] = folder / f"{shas[fid]}-{rows}-{digest}.json"
            cached = _load(entries[fid], len(expectations))
            if cached is not None:
                outcomes[fid] = cached
    todo = [f for f in order if f not in outcomes]
    groups = _groups(todo, files, int(meta.get("chunk_rows", CHUNK_ROWS)))
    for group in groups:
        df = reader.read_files(table, columns, chunk, group)
        found = _validate_group(df, group, chunk, expectations, index_cols, validate, max_listed)
        del df
        for fid, outcome in found.items():
            # as JSON, so an outcome is the same fresh or from the cache
            outcomes[fid] = json.loads(json.dumps(outcome, ensure_ascii=False, default=str))
            if fid in entries and not any(o.get("exception") for o in outcome):
                store_entry(entries[fid], outcomes[fid])
    log.debug(
        "suite %s: %d file(s), %d from the cache, %d validated in %d chunk(s)",
        spec["name"],
        len(order),
        len(order) - len(todo),
        len(todo),
        len(groups),
    )
    return _merge(spec, [outcomes[f] for f in order], files, len(order) - len(todo), max_listed)


def gx_version() -> str:
    """The installed GX version, without importing GX (seconds)."""
    from importlib.metadata import version

    return version("great_expectations")


def suite_key(spec: dict[str, Any], reader: WarehouseReader, max_listed: int) -> str:
    """What every cached outcome of a suite depends on besides the data: the suite file,
    GX, the target and its engine, this cache's `FORMAT` and the rows a finding lists."""
    parts = [spec["_sha256"], gx_version(), reader.target, reader.engine(), FORMAT]
    return "|".join([*parts, str(max_listed)])


def _suite_folder(
    spec: dict[str, Any], reader: WarehouseReader, cache_dir: Path | None, max_listed: int
) -> Path | None:
    from bangfu.quality.gate_cache import key_folder

    if cache_dir is None:
        return None
    return key_folder(cache_dir, spec["name"], reader.target, suite_key(spec, reader, max_listed))


def _groups(
    todo: list[int | None], files: dict[int | None, tuple[int, str]], budget: int
) -> list[list[int | None]]:
    """Whole files in `file_id` order, up to `budget` rows a group (a bigger file: alone);
    the rows without a file (if any) on their own."""
    groups: list[list[int | None]] = []
    current: list[int | None] = []
    size = 0
    for fid in todo:
        if fid is None:
            continue
        n = files[fid][0]
        if current and size + n > budget:
            groups.append(current)
            current, size = [], 0
        current.append(fid)
        size += n
    if current:
        groups.append(current)
    if None in todo:
        groups.append([None])
    return groups


def _validate_group(
    df: pd.DataFrame,
    group: list[int | None],
    chunk: str,
    expectations: list[dict[str, Any]],
    index_cols: list[str],
    validate: Validate,
    max_listed: int,
) -> dict[int | None, list[dict[str, Any]]]:
    """Each file's outcome per expectation: one BASIC pass over the group; the expectations
    that fail are run again (SUMMARY, with the index columns) on each file's rows."""
    basic = validate(df, expectations, "BASIC")["results"]
    if len(basic) != len(expectations):
        raise RuntimeError(f"GX returned {len(basic)} results for {len(expectations)}")
    found: dict[int | None, list[dict[str, Any]]] = {f: [] for f in group}
    failing = []
    for i, res in enumerate(basic):
        exc = exception_message(res)
        for fid in group:
            if exc:
                found[fid].append({"success": False, "unexpected_count": None, "exception": exc})
            else:
                found[fid].append({"success": True, "unexpected_count": 0})
        if not res["success"] and not exc:
            failing.append(i)
    if not failing:
        return found
    sort_cols = [chunk] + [c for c in index_cols if c != chunk]
    ordered = df.sort_values(sort_cols, kind="stable", na_position="last")
    if group == [None]:
        parts = [(None, ordered)]
    else:
        parts = [(int(f), sub) for f, sub in ordered.groupby(chunk, sort=True)]
    result_format = {
        "result_format": "SUMMARY",
        "unexpected_index_column_names": sort_cols,
        "partial_unexpected_count": max_listed,
    }
    subset = [expectations[i] for i in failing]
    for fid, sub in parts:
        results = validate(sub, subset, result_format)["results"]
        for i, res in zip(failing, results, strict=True):
            info = res.get("result") or {}
            exc = exception_message(res)
            found[fid][i] = {
                "success": bool(res["success"]),
                "unexpected_count": info.get("unexpected_count"),
                "partial_unexpected_list": info.get("partial_unexpected_list") or [],
                "unexpected_index_list": info.get("partial_unexpected_index_list") or [],
                **({"exception": exc} if exc else {}),
            }
    return found


def exception_message(res: dict[str, Any]) -> str | None:
    """The exception message of a GX result, flat or keyed by metric."""
    info = res.get("exception_info") or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _merge(
    spec: dict[str, Any],
    outcomes: list[list[dict[str, Any]]],
    files: dict[int | None, tuple[int, str]],
    from_cache: int,
    max_listed: int,
) -> dict[str, Any]:
    """One result for the suite, shaped like GX's (success, results, statistics)."""
    rows = sum(n for n, _ in files.values())
    results = []
    for i, exp in enumerate(spec["expectations"]):
        per_file = [o[i] for o in outcomes]
        exc = next((o["exception"] for o in per_file if o.get("exception")), None)
        values: list[Any] = []
        index: list[Any] = []
        for o in per_file:
            values += o.get("partial_unexpected_list") or []
            index += o.get("unexpected_index_list") or []
        unexpected = sum(o.get("unexpected_count") or 0 for o in per_file)
        result: dict[str, Any] = {}
        if not exc:
            result = {"element_count": rows, "unexpected_count": unexpected}
            if unexpected:
                result["partial_unexpected_list"] = values[:max_listed]
                result["unexpected_index_list"] = index[:max_listed]
                result["unexpected_index_count"] = unexpected
        results.append(
            {
                "success": all(o["success"] for o in per_file) and not exc,
                "expectation_config": {
                    "type": exp["type"],
                    "kwargs": exp.get("kwargs") or {},
                    "meta": exp.get("meta") or {},
                },
                "result": result,
                "exception_info": {
                    "raised_exception": bool(exc),
                    "exception_message": exc,
                },
            }
        )
    ok = sum(r["success"] for r in results)
    return {
        "success": ok == len(results),
        "suite_name": spec["name"],
        "results": results,
        "statistics": {
            "evaluated_expectations": len(results),
            "successful_expectations": ok,
            "unsuccessful_expectations": len(results) - ok,
        },
        "meta": {
            "table": spec["meta"]["table"],
            "chunk_by": spec["meta"]["chunk_by"],
            "files": len(outcomes),
            "files_from_cache": from_cache,
            "rows": rows,
        },
    }


def _load(path: Path, n: int) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, list) or len(data) != n:
        return None
    return data


def store_entry(path: Path, outcome: Any) -> None:
    """Write an entry atomically (a killed run leaves no half-written entry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        tmp.write_text(json.dumps(outcome, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a cache that cannot be written only costs time
        log.warning("gate cache: cannot write %s (%s)", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink()
