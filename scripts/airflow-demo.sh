#!/usr/bin/env bash
# The demo through Airflow itself: synthetic landing -> ingest DAG -> dbt build DAG ->
# quarterly bulletin DAG, each with `airflow dags test` (one process, SQLite metadata in
# <repo>/.airflow, no scheduler needed).
#   scripts/airflow-demo.sh [DEMO_DIR] [QUARTER]      (defaults: demo 2026Q3)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO_DIR=$(mkdir -p "${1:-${DEMO_DIR:-demo}}" && cd "${1:-${DEMO_DIR:-demo}}" && pwd)
QUARTER=${2:-${DEMO_QUARTER:-2026Q3}}
BIN=${BANGFU_BIN:-$ROOT/.venv/bin}
[ -x "$BIN/airflow" ] || BIN=$(dirname "$(command -v airflow)")

export AIRFLOW_HOME="$ROOT/.airflow"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
unset AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC
export DO_NOT_TRACK=1 SCARF_ANALYTICS=false DBT_SEND_ANONYMOUS_USAGE_STATS=false
export PYTHONPATH="$ROOT/include${PYTHONPATH:+:$PYTHONPATH}"
export BANGFU_LANDING="$DEMO_DIR/landing"
export BANGFU_WAREHOUSE="$DEMO_DIR/warehouse/bangfu.duckdb"
export BANGFU_OUT="$DEMO_DIR/out"
mkdir -p "$AIRFLOW_HOME"

step() { printf '\n=== %s  (%s)\n' "$1" "$(date +%T)"; }

if [ ! -d "$BANGFU_LANDING" ]; then
  step "synthetic landing folder -> $BANGFU_LANDING"
  "$BIN/bangfu" synth --out "$BANGFU_LANDING" --seed 42
fi

step "airflow metadata database and the bangfu_warehouse pool ($AIRFLOW_HOME)"
AIRFLOW="$BIN/airflow" "$ROOT/scripts/airflow-init.sh" >/dev/null

# The quarterly DAG runs the whole chain (ingest -> dbt build -> quality gate -> publish),
# the same steps as `bangfu run`. The per-source ingest DAGs and the asset-scheduled
# bangfu_build run under a scheduler (docker-compose, or tests/dags/test_e2e_scheduler.py);
# run one by hand with: airflow dags test bangfu_ingest_platform_orders
step "ingest, dbt build, quality gate and bulletin: bangfu_bulletin for $QUARTER"
"$BIN/airflow" dags test bangfu_bulletin -c "{\"quarter\": \"$QUARTER\"}"

latest=$(ls -d "$BANGFU_OUT/$QUARTER"/v* 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$latest" ]; then
  echo "no bulletin under $BANGFU_OUT/$QUARTER (blocked by the quality gate? see the log above)" >&2
  exit 3
fi
echo "bulletin: $latest"
