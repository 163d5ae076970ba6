"""`bangfu run --target postgres`: the same chain built, checked and published from
PostgreSQL gives the same bulletin annex as the DuckDB run on the same landing (SPEC §8)."""

from __future__ import annotations

import dataclasses

import openpyxl
import psycopg
import pytest

from bangfu import config, pipeline

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _sheets(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_postgres_target_publishes_the_same_annex(synth_run, copy_run, pg_database, tmp_path):
    _, duck_run = synth_run
    cfg_file = tmp_path / "pg.yml"
    cfg_file.write_text(
        f"warehouse:\n  postgres_dsn: {pg_database}\nbulletin:\n  pdf: false\n", encoding="utf-8"
    )
    s = dataclasses.replace(copy_run, config=config.load(cfg_file), target="postgres")
    result = pipeline.run(s, duck_run.quarter)
    assert result.exit_code == 0, [f.key for f in result.gate.blocking]

    with psycopg.connect(pg_database) as con:
        n = con.execute("select count(*) from marts.kpi_unit_quarter").fetchone()[0]
    assert n > 1000

    pg = _sheets(result.published / f"附件-{duck_run.quarter}.xlsx")
    duck = _sheets(duck_run.published / f"附件-{duck_run.quarter}.xlsx")
    assert pg.keys() == duck.keys()
    for title in duck:
        if title == "数据质量":  # the same findings; their order may differ by engine
            assert sorted(map(str, pg[title])) == sorted(map(str, duck[title]))
        else:
            assert pg[title] == duck[title], title
