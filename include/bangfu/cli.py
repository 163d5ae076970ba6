"""The `bangfu` command: how a data engineer reruns a quarter by hand (SPEC §8)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bangfu import config as config_mod
from bangfu import pipeline
from bangfu.periods import parse_quarter

log = logging.getLogger("bangfu")

# exit codes (SPEC §8): 0 published, 3 blocked by the gate, 2 bad arguments or config;
# 1: the run failed (the message says which step and why)
EXIT_FAILED = 1


def _years(text: str) -> tuple[int, int]:
    try:
        a, _, b = text.partition("-")
        first, last = int(a), int(b or a)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year range like 2025-2026") from None
    if first > last:
        raise argparse.ArgumentTypeError(f"'{text}': the first year is after the last")
    return first, last


def _quarter(text: str):
    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bangfu", description="消费帮扶 data pipeline")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("synth", help="write a realistic synthetic landing folder")
    s.add_argument("--out", required=True, type=Path)
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--years", type=_years, default=(2025, 2026))
    s.add_argument("--orders", type=int, default=None, help="platform order rows (default ~20,000)")

    def common(sp: argparse.ArgumentParser, landing: bool = True) -> None:
        if landing:
            sp.add_argument("--landing", required=True, type=Path)
        sp.add_argument("--warehouse", type=Path, default=None, help="DuckDB file")
        sp.add_argument("--out", type=Path, default=Path("out"))
        sp.add_argument("--target", choices=("duckdb", "postgres"), default=None)
        sp.add_argument("--config", type=Path, default=None)

    r = sub.add_parser("run", help="ingest, build, check and publish one quarter")
    common(r)
    r.add_argument("--quarter", required=True, type=_quarter)

    i = sub.add_parser("ingest", help="ingest what is new in the landing folder")
    common(i)

    b = sub.add_parser("build", help="dbt build on the raw layer")
    common(b, landing=False)
    b.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental order models from scratch (they also do by themselves "
        "when their SQL, the macros or an earlier order file changed)",
    )

    d = sub.add_parser("docs", help="generate the dbt docs site (offline) for analysts")
    common(d, landing=False)

    c = sub.add_parser("check", help="run the quality gate for a quarter")
    common(c)
    c.add_argument("--quarter", required=True, type=_quarter)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("great_expectations", "dbt", "matplotlib", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    if args.command == "synth":
        from bangfu.synth import generate

        generate(args.out, seed=args.seed, years=args.years, orders=args.orders)
        return 0

    try:
        cfg = config_mod.load(args.config)
    except config_mod.ConfigError as exc:
        print(f"bangfu: {exc}", file=sys.stderr)
        return pipeline.EXIT_BAD_ARGUMENTS
    landing = getattr(args, "landing", None)
    if landing is not None and not landing.is_dir():
        print(f"bangfu: landing folder {landing} does not exist", file=sys.stderr)
        return pipeline.EXIT_BAD_ARGUMENTS
    settings = pipeline.Settings(
        landing=landing or Path("."),
        warehouse=args.warehouse or Path(cfg.warehouse["path"]),
        out=args.out,
        config=cfg,
        target=args.target or cfg.warehouse["target"],
    )

    try:
        return _dispatch(args, settings, cfg)
    except _expected_failures() as exc:
        # a failure the data team can act on: say what and where, without a traceback
        log.error("%s failed: %s", args.command, exc)
        print(f"bangfu {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _expected_failures() -> tuple[type[BaseException], ...]:
    from bangfu.bulletin.facts import BulletinDataError
    from bangfu.ingest import IngestError
    from bangfu.transform import BuildError
    from bangfu.warehouse import WarehouseBusy

    return (BulletinDataError, BuildError, IngestError, WarehouseBusy)


def _dispatch(args: argparse.Namespace, settings: pipeline.Settings, cfg) -> int:
    if args.command == "run":
        result = pipeline.run(settings, args.quarter)
        return result.exit_code
    if args.command == "ingest":
        report = pipeline.ingest(settings)
        print(report.summary())
        return 0
    if args.command == "build":
        pipeline.build(settings, full_refresh=args.full_refresh)
        return 0
    if args.command == "docs":
        from bangfu.transform import docs_generate

        print(docs_generate(settings.warehouse, cfg, target=settings.target) / "index.html")
        return 0
    if args.command == "check":
        gate = pipeline.check(settings, args.quarter)
        return pipeline.EXIT_PUBLISHED if gate.passed else pipeline.EXIT_BLOCKED
    print(f"bangfu: unknown command {args.command}", file=sys.stderr)
    return pipeline.EXIT_BAD_ARGUMENTS


if __name__ == "__main__":
    sys.exit(main())
