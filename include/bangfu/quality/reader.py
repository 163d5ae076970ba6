"""Read the warehouse's tables for the gate, from DuckDB (read-only) or PostgreSQL.

The gate never writes the warehouse. Tables come back as pandas dataframes with money
as float (the checks compare with tolerances; storage stays DECIMAL), so the same rule
code runs on both targets.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from bangfu.config import Config


class WarehouseReader:
    """A read-only view of the warehouse: `exists`, `read`, `query`, `close`."""

    def __init__(self, warehouse: Path, config: Config, target: str = "duckdb") -> None:
        self.target = target
        self._tables: set[str] | None = None
        if target == "duckdb":
            from bangfu.warehouse import connect

            self._con: Any = connect(warehouse, read_only=True)
        elif target == "postgres":
            import psycopg

            self._con = psycopg.connect(
                config.postgres_dsn(),
                autocommit=True,
                options="-c default_transaction_read_only=on",
            )
        else:
            raise ValueError(f"unknown target {target!r} (duckdb | postgres)")

    def __enter__(self) -> WarehouseReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def tables(self) -> set[str]:
        """Every `schema.table` (tables and views) in the warehouse."""
        if self._tables is None:
            rows = self.rows(
                "select table_schema, table_name from information_schema.tables"
                " where table_schema not in ('information_schema', 'pg_catalog')"
            )
            self._tables = {f"{s}.{t}" for s, t in rows}
        return self._tables

    def exists(self, table: str) -> bool:
        return table in self.tables()

    def _pg_sql(self, sql: str, params) -> str:
        """`?` placeholders (DuckDB's) as psycopg's `%s`."""
        return sql.replace("?", "%s") if params else sql

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        """A portable SELECT; values travel as bound `?` parameters."""
        if self.target == "duckdb":
            return self._con.execute(sql, params or []).fetchall()
        with self._con.cursor() as cur:
            cur.execute(self._pg_sql(sql, params), params or None)
            return cur.fetchall()

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """A portable SELECT as a dataframe (decimals as float); `?` parameters bound."""
        import pandas as pd

        if self.target == "duckdb":
            df = self._con.execute(sql, params or []).df()
        else:
            with self._con.cursor() as cur:
                cur.execute(self._pg_sql(sql, params), params or None)
                cols = [d.name for d in cur.description]
                df = pd.DataFrame(cur.fetchall(), columns=cols)
        return _decimals_to_float(df)

    def column_types(self, table: str) -> list[tuple[str, str]]:
        """The table's (column, type) pairs, in their order (empty when it does not exist)."""
        schema, _, name = table.partition(".")
        rows = self.rows(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        )
        return [(str(c), str(t)) for c, t in rows]

    def columns(self, table: str) -> list[str]:
        """The table's columns, in their order (empty when it does not exist)."""
        return [c for c, _ in self.column_types(table)]

    def _hash_sum(self, columns: list[str]) -> str:
        """SQL for an order-independent hash of the rows' values in `columns`."""
        cols = ", ".join(quote(c) for c in columns)
        if self.target == "duckdb":
            return f"sum(hash({cols}))"
        return f"sum(hashtextextended(row({cols})::text, 0))"

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        cols = ", ".join(quote(c) for c in columns) if columns else "*"
        return self.query(f"select {cols} from {table}")

    def read_files(
        self, table: str, columns: list[str], file_column: str, file_ids: list[int | None]
    ) -> pd.DataFrame:
        """The rows of the given files (`None`: the rows without a file) in `columns`."""
        ids = [f for f in file_ids if f is not None]
        where = []
        if ids:
            where.append(f"{quote(file_column)} in ({', '.join('?' for _ in ids)})")
        if len(ids) < len(file_ids):
            where.append(f"{quote(file_column)} is null")
        cols = ", ".join(quote(c) for c in columns)
        return self.query(f"select {cols} from {table} where {' or '.join(where)}", ids)

    def file_fingerprints(
        self, table: str, file_column: str, columns: list[str]
    ) -> dict[int | None, tuple[int, str]]:
        """Per file (`None`: rows without one): its row count and a hash of its rows' values
        in `columns`, independent of row order. One scan; nothing is read into Python."""
        fc = quote(file_column)
        digest = self._hash_sum(columns)
        rows = self.rows(f"select {fc}, count(*), {digest} from {table} group by {fc}")
        return {(None if f is None else int(f)): (int(n), str(h)) for f, n, h in rows}

    def table_fingerprint(self, table: str, columns: list[str]) -> str:
        """The table's row count, its columns' names and types, and a hash of its rows'
        values in `columns`, independent of row order, as one string. One scan; nothing is
        read into Python."""
        [(n, h)] = self.rows(f"select count(*), {self._hash_sum(columns)} from {table}")
        shape = ",".join(f"{c}:{t}" for c, t in self.column_types(table))
        return f"{int(n)}|{h}|{','.join(columns)}|{shape}"

    def file_hashes(self) -> dict[int, str]:
        """`file_id` -> `sha256` of every file in the ledger (empty without a ledger)."""
        if not self.exists("ledger.files"):
            return {}
        return {int(f): str(h) for f, h in self.rows("select file_id, sha256 from ledger.files")}

    def engine(self) -> str:
        """The engine and its version (a cache written by one is not trusted by another)."""
        if self.target == "duckdb":
            import duckdb

            return f"duckdb {duckdb.__version__}"
        return f"postgres {self.rows('show server_version')[0][0]}"

    def count_by_file(self, table: str, file_column: str = "_file_id") -> dict[int, int]:
        rows = self.rows(f"select {file_column}, count(*) from {table} group by {file_column}")
        return {int(f): int(n) for f, n in rows if f is not None}


def quote(identifier: str) -> str:
    """A column name as a quoted SQL identifier (DuckDB and PostgreSQL alike)."""
    return '"' + identifier.replace('"', '""') + '"'


def _decimals_to_float(df: pd.DataFrame) -> pd.DataFrame:
    from decimal import Decimal

    for col in df.columns:
        if df[col].dtype == object:
            sample = df[col].dropna()
            if len(sample) and isinstance(sample.iloc[0], Decimal):
                df[col] = df[col].astype(float)
    return df
