#!/usr/bin/env bash
# One-time (idempotent) Airflow setup for bangfu: metadata database and the writer pool.
# Used by docker-compose's airflow-init service and by scripts/airflow-demo.sh.
# Needs AIRFLOW_HOME (and the database settings) in the environment.
set -euo pipefail

: "${AIRFLOW_HOME:?set AIRFLOW_HOME (never let airflow fall back to ~/airflow)}"
AIRFLOW=${AIRFLOW:-airflow}

"$AIRFLOW" db migrate
# DuckDB allows one writer process: every task that writes the warehouse runs in this
# one-slot pool (bangfu.orchestration.WAREHOUSE_POOL).
"$AIRFLOW" pools set bangfu_warehouse 1 "DuckDB allows one writer process: one warehouse writer at a time"
