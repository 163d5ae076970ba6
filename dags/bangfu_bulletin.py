"""The quarterly run: ingest → build → quality gate → bulletin (as `bangfu run`)."""

from __future__ import annotations

from airflow.sdk import DAG, CronTriggerTimetable, Param, task

from bangfu import orchestration as orch

DOC = """
### 季度通报 (quarterly bulletin)

At 09:00 Asia/Shanghai on the 20th of January, April, July and October (reports are
due on the 10th), for the quarter that ended before the run: 2026-10-20 publishes
2026Q3. The same steps as `bangfu run --quarter …`:

1. `ingest`: anything landed since the last ingest run (skips known files);
2. `build`: `dbt build` with the quarter as the end of the grid;
3. `quality_gate`: the suites and checks; **when an `error` check fails the task fails
   at once (no retries) with the data-quality report's path in the message** — read
   `report.html` / `findings.csv` there, fix or acknowledge (`<landing>/acknowledgements/`),
   then clear the task;
4. `publish`: the bulletin's next version under `$BANGFU_OUT/<quarter>/v<n>/` and the
   analysts' copy of the warehouse.

Every task writes the warehouse: pool `bangfu_warehouse` + the pipeline's writer lock.

Rerun a quarter (late corrections): trigger with `{"quarter": "2026Q2"}`; a new
version is written, earlier versions stay. Past quarters:
`airflow backfill create --dag-id bangfu_bulletin --from-date 2025-04-01 --to-date 2026-07-31`
(one run per 20th; each publishes the quarter before it).
"""

with DAG(
    dag_id="bangfu_bulletin",
    description="Quality gate and bulletin for the quarter that just ended",
    schedule=CronTriggerTimetable(orch.BULLETIN_CRON, timezone=orch.TIMEZONE),
    start_date=orch.START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=orch.default_args(),
    params={
        "quarter": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}[Qq][1-4]$",
            description="Quarter to publish, like 2026Q3. Empty: the quarter before the run.",
        ),
    },
    tags=[*orch.TAGS, "bulletin", "quality"],
    doc_md=DOC,
) as bangfu_bulletin:

    @task(
        task_id="ingest",
        pool=orch.WAREHOUSE_POOL,
        execution_timeout=orch.EXECUTION_TIMEOUTS["ingest"],
    )
    def ingest(**context) -> str:
        from bangfu import pipeline

        quarter = orch.run_quarter(context)
        report = pipeline.ingest(orch.settings(context["params"]))
        print(report.summary())
        return str(quarter)

    @task(
        task_id="build",
        pool=orch.WAREHOUSE_POOL,
        execution_timeout=orch.EXECUTION_TIMEOUTS["build"],
    )
    def build(quarter: str, **context) -> str:
        from bangfu import pipeline
        from bangfu.periods import parse_quarter

        pipeline.build(orch.settings(context["params"]), parse_quarter(quarter))
        return quarter

    @task(
        task_id="quality_gate",
        pool=orch.WAREHOUSE_POOL,
        execution_timeout=orch.EXECUTION_TIMEOUTS["check"],
    )
    def quality_gate(quarter: str, **context) -> dict:
        from bangfu import pipeline
        from bangfu.periods import parse_quarter

        gate = pipeline.check(orch.settings(context["params"]), parse_quarter(quarter))
        print(f"{quarter}: {len(gate.findings)} finding(s), report in {gate.report_dir}")
        if not gate.passed:
            raise orch.GateBlocked(orch.blocked_message(gate))
        return orch.gate_to_xcom(gate)

    @task(
        task_id="publish",
        pool=orch.WAREHOUSE_POOL,
        execution_timeout=orch.EXECUTION_TIMEOUTS["publish"],
    )
    def publish(gate: dict, **context) -> str:
        from bangfu import pipeline
        from bangfu.periods import parse_quarter

        result = orch.gate_from_xcom(gate)
        version = pipeline.publish(
            orch.settings(context["params"]), parse_quarter(result.quarter), result
        )
        print(f"{result.quarter}: published {version}")
        return str(version)

    publish(quality_gate(build(ingest())))
