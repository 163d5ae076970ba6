"""docker-compose.yml, checked structurally (Docker does not run here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-api-server",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_follow_the_reference_layout():
    c = _compose()
    assert set(c["services"]) == AIRFLOW_SERVICES | {"postgres"}
    common = c["x-airflow-common"]
    env = common["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg://")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-api-server:")
    assert env["DO_NOT_TRACK"] == "1"
    commands = {name: c["services"][name].get("command") for name in AIRFLOW_SERVICES}
    assert commands["airflow-api-server"] == "api-server"
    assert commands["airflow-scheduler"] == "scheduler"
    assert commands["airflow-dag-processor"] == "dag-processor"
    assert commands["airflow-triggerer"] == "triggerer"
    assert "airflow-init.sh" in "".join(commands["airflow-init"])
    for name in AIRFLOW_SERVICES:
        svc = c["services"][name]
        # the YAML anchor merged the common block into every Airflow service
        assert svc["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy", name
        if name != "airflow-init":
            assert svc["healthcheck"]["test"], name
            assert svc["depends_on"]["airflow-init"]["condition"] == (
                "service_completed_successfully"
            ), name
    assert c["services"]["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]


def test_landing_warehouse_and_output_are_volumes():
    c = _compose()
    env = c["x-airflow-common"]["environment"]
    mounts = {}
    for volume in c["x-airflow-common"]["volumes"]:
        host, target = re.sub(r":(ro|rw)$", "", volume).rsplit(":", 1)
        mounts[target] = host
    assert mounts["/data/landing"].startswith("${BANGFU_LANDING_DIR")
    assert mounts["/data/warehouse"].startswith("${BANGFU_WAREHOUSE_DIR")
    assert mounts["/data/out"].startswith("${BANGFU_OUT_DIR")
    assert mounts["/opt/airflow/dags"] == "./dags"
    assert env["BANGFU_LANDING"] == "/data/landing"
    assert env["BANGFU_WAREHOUSE"].startswith("/data/warehouse/")
    assert env["BANGFU_OUT"] == "/data/out"


SECRET_KEYS = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_CONN\b|SQL_ALCHEMY_CONN", re.I)


def _walk(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")
    else:
        yield path, node


def test_no_literal_secrets_in_compose():
    c = _compose()
    for path, value in _walk(c):
        if not SECRET_KEYS.search(path.rsplit(".", 1)[-1]) or not isinstance(value, str):
            continue
        # every secret comes from .env and is required there: ${VAR:?message}
        stripped = re.sub(r"\$\{[^}]*\}", "", value)
        if "://" in value:
            assert not re.search(r"://[^@/]*:[^@/]+@", stripped), f"{path}: literal password"
            assert re.search(r":\$\{[A-Z_]+:\?[^}]*\}@", value), f"{path}: password not required"
        else:
            assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", value), f"{path}: {value}"
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "airflow:airflow@" not in text
    assert not re.search(r"(?i)password:\s*['\"]?[a-z0-9]", text)


def test_env_example_is_committed_and_env_is_ignored():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    keys = dict(
        line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#")
    )
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for var in set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", compose)):
        assert var in keys, f"{var} used in docker-compose.yml but not in .env.example"
    for key, value in keys.items():
        if SECRET_KEYS.search(key):
            assert "CHANGE-ME" in value, f".env.example must not carry a real {key}"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert not (ROOT / ".env").exists() or ".env" in ignored
