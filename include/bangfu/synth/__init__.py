"""The synthetic landing-folder generator (`bangfu synth`, SPEC §8).

    from bangfu.synth import generate
    manifest = generate(Path("landing"), seed=42, years=(2025, 2026), orders=None)

Modules: `registry` (units.csv, regions.csv), `demand` (what each unit buys),
`products`, `orders` (platform exports), `reports` (unit report workbooks),
`sheets` (canteen, union welfare, catalogue, sites), `ugly` (the variations of §3),
`writer` (deterministic csv/xlsx), `manifest` (`_synth_manifest.json`).
"""

from __future__ import annotations

from bangfu.synth.landing import generate
from bangfu.synth.manifest import MANIFEST_NAME

__all__ = ["MANIFEST_NAME", "generate"]
