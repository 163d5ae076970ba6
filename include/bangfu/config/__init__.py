"""The one configuration file: thresholds, deadlines, paths and target (SPEC §4.8, §6).

`load()` reads the packaged defaults and overlays a deployment's file, given by path or
by the BANGFU_CONFIG environment variable. Unknown keys are an error: a typo in a
threshold must not silently fall back to the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """The configuration file cannot be used (exit code 2 on the command line)."""


def _defaults() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("defaults.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _overlay(base: dict[str, Any], extra: dict[str, Any], where: str) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if key not in base:
            raise ConfigError(f"unknown configuration key '{where}{key}'")
        if isinstance(base[key], dict) and key != "severities":
            if not isinstance(value, dict):
                raise ConfigError(f"configuration key '{where}{key}' must be a mapping")
            out[key] = _overlay(base[key], value, f"{where}{key}.")
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Config:
    """The merged configuration. `data` keeps the full tree; helpers read common parts."""

    data: dict[str, Any]
    source: str = "defaults"
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def rules(self) -> dict[str, Any]:
        return self.data["rules"]

    @property
    def exit_rules(self) -> dict[str, Any]:
        return self.data["exit_rules"]

    @property
    def quality(self) -> dict[str, Any]:
        return self.data["quality"]

    @property
    def bulletin(self) -> dict[str, Any]:
        return self.data["bulletin"]

    @property
    def warehouse(self) -> dict[str, Any]:
        return self.data["warehouse"]

    def severity(self, check: str) -> str:
        sev = self.quality["severities"].get(check)
        if sev not in ("error", "warning"):
            raise ConfigError(f"check '{check}' has no severity (error|warning) in the config")
        return sev

    def dbt_vars(self) -> dict[str, Any]:
        """The parameters the dbt models read with var()."""
        return {**self.rules, **self.exit_rules}

    def duckdb_memory_limit(self) -> str:
        """DuckDB's `memory_limit` for the warehouse's writers (e.g. `2GB`)."""
        return str(self.warehouse.get("duckdb_memory_limit") or "2GB")

    def postgres_dsn(self) -> str:
        return os.environ.get("BANGFU_PG_DSN") or self.warehouse["postgres_dsn"]


def load(path: str | os.PathLike[str] | None = None) -> Config:
    """Defaults overlaid with `path` (or $BANGFU_CONFIG). Raises ConfigError."""
    data = _defaults()
    chosen = path or os.environ.get("BANGFU_CONFIG")
    if not chosen:
        return Config(data)
    p = Path(chosen)
    try:
        extra = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file not found: {p}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"configuration file {p} cannot be read: {exc}") from exc
    if not isinstance(extra, dict):
        raise ConfigError(f"configuration file {p} must be a mapping at the top level")
    return Config(_overlay(data, extra, ""), source=str(p))
