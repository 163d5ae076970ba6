"""`generate`: write a whole synthetic landing folder for Guangzhou (SPEC §8)."""

from __future__ import annotations

import logging
import random
import shutil
import time
from pathlib import Path

from bangfu.synth import sheets
from bangfu.synth.demand import make_plans, timeline
from bangfu.synth.manifest import Manifest
from bangfu.synth.orders import OrderWriter
from bangfu.synth.products import make_products
from bangfu.synth.registry import load_regions, make_units, write_reference
from bangfu.synth.reports import ReportWriter

log = logging.getLogger(__name__)

SOURCE_DIRS = (
    "reference",
    "platform_orders",
    "unit_reports",
    "canteen",
    "union_welfare",
    "catalogue",
    "sites",
)


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def generate(
    out: Path,
    seed: int = 42,
    years: tuple[int, int] = (2025, 2026),
    orders: int | None = None,
    units: int = 300,
) -> dict:
    """Write the landing folder `out` and return its manifest (also `_synth_manifest.json`).

    `orders` is the approximate number of platform order ROWS over all exports (an
    order appears in 2-3 overlapping exports); None gives about 20,000 distinct orders.
    The same arguments give byte-identical files.
    """
    t0 = time.perf_counter()
    out = Path(out)
    first, last = int(years[0]), int(years[1])
    if first > last:
        raise ValueError(f"years {years}: the first is after the last")
    for d in SOURCE_DIRS:  # regenerate cleanly: stale files would break reproducibility
        if (out / d).exists():
            shutil.rmtree(out / d)
    out.mkdir(parents=True, exist_ok=True)

    tl = timeline(first, last)
    regions = load_regions()
    unit_list = make_units(random.Random(f"{seed}/units"), first, last, units)
    products = make_products(random.Random(f"{seed}/products"), regions)
    plans = make_plans(random.Random(f"{seed}/plans"), unit_list, tl)
    manifest = Manifest(seed, (first, last), orders)

    manifest.counts["reference"] = write_reference(out, unit_list)
    manifest.file("reference", "reference/units.csv", len(unit_list), 0)
    manifest.file("reference", "reference/regions.csv", len(regions), 0)

    ow = OrderWriter(out, seed, plans, products, tl, orders, manifest)
    manifest.counts["platform_orders"] = ow.write()
    totals = ow.totals

    rw = ReportWriter(out, seed, plans, products, regions, tl, totals, manifest)
    manifest.counts["unit_reports"] = rw.write()
    manifest.counts["canteen"] = sheets.write_canteen(
        out, seed, plans, tl, manifest, totals.canteen
    )
    manifest.counts["union_welfare"] = sheets.write_union(out, seed, plans, tl, manifest)
    manifest.counts["catalogue"] = sheets.write_catalogue(
        out, seed, products, regions, tl, manifest
    )
    manifest.counts["sites"] = sheets.write_sites(out, seed, plans, tl, manifest)

    by_quarter: dict[str, int] = {}
    canteen_by_quarter: dict[str, int] = {}
    for (_, y, q), cents in sorted(totals.net.items(), key=lambda kv: (kv[0][1], kv[0][2])):
        by_quarter[f"{y}Q{q}"] = by_quarter.get(f"{y}Q{q}", 0) + cents
    for (_, y, q), cents in totals.canteen.items():
        canteen_by_quarter[f"{y}Q{q}"] = canteen_by_quarter.get(f"{y}Q{q}", 0) + cents
    manifest.truth = {
        "as_of": tl.export_day.isoformat(),
        "orders_through": tl.end.isoformat(),
        "report_quarters": [f"{y}Q{q}" for y, q in tl.report_quarters],
        "platform_net_yuan_by_quarter": {k: _yuan(v) for k, v in sorted(by_quarter.items())},
        "platform_canteen_net_yuan_by_quarter": {
            k: _yuan(v) for k, v in sorted(canteen_by_quarter.items())
        },
        "order_status_visible": dict(sorted(totals.by_status.items())),
        **rw.truth,
    }
    data = manifest.write(out)
    log.info(
        "synth: %s order rows, %s reports, %.1f s -> %s",
        data["counts"]["platform_orders"]["rows"],
        data["counts"]["unit_reports"].get("reports"),
        time.perf_counter() - t0,
        out,
    )
    return data
