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

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        cols = ", ".join(columns) if columns else "*"
        return self.query(f"select {cols} from {table}")

    def count_by_file(self, table: str, file_column: str = "_file_id") -> dict[int, int]:
        rows = self.rows(f"select {file_column}, count(*) from {table} group by {file_column}")
        return {int(f): int(n) for f, n in rows if f is not None}


def _decimals_to_float(df: pd.DataFrame) -> pd.DataFrame:
    from decimal import Decimal

    for col in df.columns:
        if df[col].dtype == object:
            sample = df[col].dropna()
            if len(sample) and isinstance(sample.iloc[0], Decimal):
                df[col] = df[col].astype(float)
    return df
