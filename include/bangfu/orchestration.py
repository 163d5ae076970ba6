"""What the DAGs share: names, schedules, default_args, the failure callback, Settings.

The DAG files in `dags/` stay thin: they declare tasks that build `Settings` from the
environment (and the run's params) when they RUN, then call `bangfu.pipeline`. Nothing
here does work at import time: no Airflow Variables, no connections, no heavy imports
(pandas, duckdb, dbt, great_expectations are imported by the pipeline inside tasks).

Environment (read inside tasks, never at parse time):
- `BANGFU_LANDING`   landing folder (required)
- `BANGFU_WAREHOUSE` DuckDB file (default: the config's `warehouse.path`)
- `BANGFU_OUT`       where bulletins and data-quality reports go (default `out`)
- `BANGFU_CONFIG`    a deployment's config file (read by `bangfu.config.load`)
- `BANGFU_TARGET`    duckdb | postgres (default: the config's `warehouse.target`)
- `BANGFU_SMTP_CONN_ID`  Airflow connection used for failure e-mails (default `smtp_default`)
- `BANGFU_ALERT_EMAILS`  comma-separated recipients; empty: failures are only logged
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from airflow.sdk import Asset
from airflow.sdk.exceptions import AirflowFailException

from bangfu.periods import Quarter, parse_quarter

if TYPE_CHECKING:
    from bangfu.pipeline import Settings
    from bangfu.quality.findings import GateResult

log = logging.getLogger(__name__)

OWNER = "bangfu-data"
TAGS = ["bangfu"]
TIMEZONE = "Asia/Shanghai"
# Catchup and backfills start here: the first quarter the programme has data for.
START_DATE = datetime(2025, 1, 1, tzinfo=ZoneInfo(TIMEZONE))

# Every task that writes the DuckDB warehouse runs in this one-slot pool (DuckDB allows
# one writer process). The pipeline also holds `bangfu.warehouse.writer_lock` inside
# each step, which covers runs outside Airflow (the CLI, `airflow dags test`).
WAREHOUSE_POOL = "bangfu_warehouse"
WAREHOUSE_POOL_DESCRIPTION = "DuckDB allows one writer process: one warehouse writer at a time"

# One ingest DAG per source: when its landing folder is scanned (cron, Asia/Shanghai):
# before office hours, every day for the busy sources, on Mondays for the slow ones.
DAILY = "0 6 * * *"
WEEKLY = "0 6 * * 1"
INGEST_SCHEDULES: dict[str, str] = {
    "reference": DAILY,
    "platform_orders": DAILY,
    "unit_reports": DAILY,
    "canteen": WEEKLY,
    "union_welfare": WEEKLY,
    "catalogue": WEEKLY,
    "sites": WEEKLY,
}

# The quarterly bulletin: 09:00 on the 20th of the month after each quarter ends
# (reports are due on the 10th, SPEC 4.7; ten days for late reports and corrections).
BULLETIN_CRON = "0 9 20 1,4,7,10 *"

# Ingest tasks emit raw-layer asset events through this alias, one per source that had
# new files (an ingest run may pick up files of other sources too).
RAW_ALIAS = "bangfu_raw_updates"
MARTS_ASSET = "bangfu_marts"

EXECUTION_TIMEOUTS = {
    "ingest": timedelta(minutes=30),
    "build": timedelta(minutes=60),
    "check": timedelta(minutes=30),
    "publish": timedelta(minutes=30),
}

SMTP_CONN_ENV = "BANGFU_SMTP_CONN_ID"
ALERT_EMAILS_ENV = "BANGFU_ALERT_EMAILS"


class GateBlocked(AirflowFailException):
    """The quality gate found blocking errors: fail the run at once (no retries)."""


# ---------------------------------------------------------------------------- assets


def raw_asset_name(source: str) -> str:
    return f"bangfu_raw_{source}"


def raw_asset(source: str) -> Asset:
    """The raw-layer tables of one source (updated when new files of it were ingested)."""
    return Asset(
        name=raw_asset_name(source), uri=f"bangfu://warehouse/raw/{source}", group="bangfu"
    )


def raw_assets() -> list[Asset]:
    return [raw_asset(source) for source in INGEST_SCHEDULES]


def marts_asset() -> Asset:
    """The published marts (schema `marts`), updated by every successful dbt build."""
    return Asset(name=MARTS_ASSET, uri="bangfu://warehouse/marts", group="bangfu")


def new_files_by_source(report: Any) -> dict[str, int]:
    """Sources with new (loaded or quarantined) files in an `IngestReport`."""
    return {source: counts["new"] for source, counts in report.by_source().items() if counts["new"]}


# ---------------------------------------------------------------------- default_args


def default_args(**overrides: Any) -> dict[str, Any]:
    """Owner, retries with exponential back-off, a timeout and the failure callback."""
    args: dict[str, Any] = {
        "owner": OWNER,
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
        "execution_timeout": timedelta(minutes=30),
        "on_failure_callback": notify_failure,
        "email_on_failure": False,  # notify_failure sends it, through a chosen connection
        "email_on_retry": False,
    }
    args.update(overrides)
    return args


def _alert_recipients() -> list[str]:
    return [a.strip() for a in os.environ.get(ALERT_EMAILS_ENV, "").split(",") if a.strip()]


def notify_failure(context: Mapping[str, Any]) -> None:
    """Task failure callback: log what failed and e-mail the data team.

    The SMTP connection is an Airflow connection (id from `BANGFU_SMTP_CONN_ID`, e.g.
    defined as `AIRFLOW_CONN_SMTP_BANGFU` in the deployment's `.env`); recipients come
    from `BANGFU_ALERT_EMAILS`. A failure to send is logged, never raised: the task's
    own failure is what matters.
    """
    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    run_id = getattr(ti, "run_id", "?")
    try_number = getattr(ti, "try_number", "?")
    exc = context.get("exception")
    message = f"{type(exc).__name__}: {exc}" if exc is not None else "(no exception recorded)"
    log.error(
        "bangfu task failed: dag=%s task=%s run=%s try=%s: %s",
        dag_id,
        task_id,
        run_id,
        try_number,
        message,
    )
    recipients = _alert_recipients()
    if not recipients:
        log.warning("no failure e-mail sent: %s is empty", ALERT_EMAILS_ENV)
        return
    conn_id = os.environ.get(SMTP_CONN_ENV, "smtp_default")
    subject = f"[bangfu] 任务失败 {dag_id}.{task_id}"
    body = (
        f"<p>数据管道任务失败，请数据组处理。</p>"
        f"<ul><li>DAG: {dag_id}</li><li>任务: {task_id}</li><li>运行: {run_id}</li>"
        f"<li>尝试次数: {try_number}</li></ul><pre>{_html_escape(message)}</pre>"
    )
    try:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=conn_id) as hook:
            hook.send_email_smtp(to=recipients, subject=subject, html_content=body)
        log.info("failure e-mail sent to %s via connection %s", ", ".join(recipients), conn_id)
    except Exception:
        log.exception("could not send the failure e-mail via connection %s", conn_id)


def _html_escape(text: str) -> str:
    import html

    return html.escape(text)


# ------------------------------------------------------------------ settings, quarter

_PARAM_KEYS = ("landing", "warehouse", "out", "config", "target")


def settings(params: Mapping[str, Any] | None = None) -> Settings:
    """`Settings` from the run's params (non-empty ones win) and BANGFU_* variables.

    Call it inside a task, never at DAG parse time.
    """
    from bangfu import config as config_mod
    from bangfu.pipeline import Settings

    params = params or {}

    def pick(key: str) -> str | None:
        value = params.get(key) if key in _PARAM_KEYS else None
        return str(value) if value not in (None, "") else os.environ.get(f"BANGFU_{key.upper()}")

    cfg = config_mod.load(pick("config"))
    landing = pick("landing")
    if not landing:
        raise ValueError("no landing folder: set BANGFU_LANDING (or the run's `landing` param)")
    warehouse = pick("warehouse") or cfg.warehouse["path"]
    return Settings(
        landing=Path(landing),
        warehouse=Path(warehouse),
        out=Path(pick("out") or "out"),
        config=cfg,
        target=pick("target") or cfg.warehouse["target"],
    )


def quarter_before(moment: datetime) -> Quarter:
    """The last quarter that ended before `moment` (taken in Asia/Shanghai)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(TIMEZONE))
    return Quarter.of(moment.date()).previous()


def run_quarter(context: Mapping[str, Any]) -> Quarter:
    """The `quarter` param when given, else the quarter that ended before the run."""
    text = (context.get("params") or {}).get("quarter")
    if text:
        return parse_quarter(str(text))
    moment = context.get("logical_date")
    if moment is None:  # manual runs in Airflow 3 may have no logical date
        dag_run = context.get("dag_run")
        moment = getattr(dag_run, "run_after", None) or datetime.now(ZoneInfo(TIMEZONE))
    return quarter_before(moment)


# ------------------------------------------------------------- the gate through XCom


def gate_to_xcom(gate: GateResult) -> dict[str, Any]:
    """A JSON-able copy of the gate's result, handed from the gate task to publish."""
    from dataclasses import asdict

    return {
        "quarter": gate.quarter,
        "report_dir": str(gate.report_dir) if gate.report_dir else None,
        "findings": [asdict(f) for f in gate.findings],
    }


def gate_from_xcom(data: Mapping[str, Any]) -> GateResult:
    from bangfu.quality.findings import Finding, GateResult

    return GateResult(
        quarter=data["quarter"],
        findings=[Finding(**f) for f in data["findings"]],
        report_dir=Path(data["report_dir"]) if data.get("report_dir") else None,
    )


def blocked_message(gate: GateResult) -> str:
    checks = sorted({f.check for f in gate.blocking})
    return (
        f"{gate.quarter}: the quality gate blocked publication: {len(gate.blocking)} "
        f"blocking finding(s) ({', '.join(checks)}); data-quality report: {gate.report_dir}"
    )
