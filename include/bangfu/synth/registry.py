"""Reference data: the registry of reporting units (units.csv) and the regions list."""

from __future__ import annotations

import csv
import random
import shutil
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from bangfu.parsing import uscc_check_char

# Guangzhou's 11 districts and their GB/T 2260 codes
DISTRICTS = {
    "越秀区": "440104",
    "海珠区": "440105",
    "荔湾区": "440103",
    "天河区": "440106",
    "白云区": "440111",
    "黄埔区": "440112",
    "番禺区": "440113",
    "花都区": "440114",
    "南沙区": "440115",
    "从化区": "440117",
    "增城区": "440118",
}
CITY_CODE = "440100"

_DISTRICT_BODIES = [
    ("教育局", "11"),
    ("财政局", "11"),
    ("卫生健康局", "11"),
    ("民政局", "11"),
    ("人力资源和社会保障局", "11"),
    ("住房和城乡建设局", "11"),
    ("农业农村局", "11"),
    ("市场监督管理局", "11"),
    ("城市管理和综合执法局", "11"),
    ("司法局", "11"),
    ("文化广电旅游体育局", "11"),
    ("退役军人事务局", "11"),
    ("发展和改革局", "11"),
    ("人民医院", "12"),
    ("中医医院", "12"),
    ("妇幼保健院", "12"),
    ("机关事务管理局", "11"),
    ("第一中学", "12"),
]
_CITY_BODIES = [
    ("广州市教育局", "11"),
    ("广州市财政局", "11"),
    ("广州市公安局", "11"),
    ("广州市民政局", "11"),
    ("广州市人力资源和社会保障局", "11"),
    ("广州市卫生健康委员会", "11"),
    ("广州市农业农村局", "11"),
    ("广州市商务局", "11"),
    ("广州市交通运输局", "11"),
    ("广州市水务局", "11"),
    ("广州市林业和园林局", "11"),
    ("广州市规划和自然资源局", "11"),
    ("广州市住房和城乡建设局", "11"),
    ("广州市生态环境局", "11"),
    ("广州市审计局", "11"),
    ("广州市统计局", "11"),
    ("广州市市场监督管理局", "11"),
    ("广州市文化广电旅游局", "11"),
    ("广州市体育局", "11"),
    ("广州市应急管理局", "11"),
    ("广州市司法局", "11"),
    ("广州市科学技术局", "11"),
    ("广州市工业和信息化局", "11"),
    ("广州市发展和改革委员会", "11"),
    ("广州市政务服务和数据管理局", "11"),
    ("广州市医疗保障局", "11"),
    ("广州市退役军人事务局", "11"),
    ("广州市城市管理和综合执法局", "11"),
    ("广州市机关事务管理局", "11"),
    ("广州市对口支援协作和帮扶合作办公室", "11"),
    ("广州市总工会", "13"),
    ("共青团广州市委员会", "13"),
    ("广州市妇女联合会", "13"),
    ("广州市供销合作总社", "13"),
    ("广州市第一人民医院", "12"),
    ("广州市红十字会医院", "12"),
    ("广州市妇女儿童医疗中心", "12"),
    ("广州市中医医院", "12"),
    ("广州市胸科医院", "12"),
    ("广州市皮肤病防治所", "12"),
    ("广州医科大学", "12"),
    ("广州大学", "12"),
    ("广州市执信中学", "12"),
    ("广州市第二中学", "12"),
    ("广州市广雅中学", "12"),
    ("广州市第六中学", "12"),
    ("广州市图书馆", "12"),
    ("广州博物馆", "12"),
    ("广州市城市建设档案馆", "12"),
    ("广州市疾病预防控制中心", "12"),
    ("广州市急救医疗指挥中心", "12"),
    ("广州市社会福利院", "12"),
    ("广州市气象局", "11"),
    ("广州市档案馆", "12"),
    ("广州市公共资源交易中心", "12"),
    ("广州市住房公积金管理中心", "12"),
    ("广州市农业科学研究院", "12"),
    ("广州市城市规划勘测设计研究院", "12"),
    ("广州市少年宫", "12"),
    ("广州市儿童福利会", "12"),
]
_SOE_GROUPS = [
    "广州地铁集团",
    "广州市建筑集团",
    "广州港集团",
    "广州医药集团",
    "广州工业投资控股集团",
    "广州产业投资控股集团",
    "广州越秀集团",
    "广州交通投资集团",
    "广州市水务投资集团",
    "广州发展集团",
    "广州城市建设投资集团",
    "广州轻工工贸集团",
    "广州无线电集团",
    "广州万力集团",
    "广州农商银行",
    "广州市公共交通集团",
    "广州珠江实业集团",
    "广州广报传媒集团",
    "广州国资发展控股",
    "广州百货企业集团",
]
_SOE_SUBS = [
    "",
    "物业管理",
    "商贸",
    "设计研究院",
    "资产管理",
    "置业",
    "科技",
    "供应链管理",
    "运营服务",
    "建设工程",
]
_CITY_LEVEL_TYPES = ("市直单位", "国企")


@dataclass(frozen=True)
class Unit:
    idx: int
    code: str
    name: str
    unit_type: str  # 区直单位 | 市直单位 | 国企
    district: str  # empty for city-level units
    must_report: bool
    valid_from: date
    valid_to: date | None

    def active_between(self, first: date, last: date) -> bool:
        return self.valid_from <= last and (self.valid_to is None or self.valid_to >= first)

    def active_on(self, d: date) -> bool:
        return self.active_between(d, d)


def org_code(body8: str) -> str:
    """GB 11714 organisation code: 8 digits plus its check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body8, weights, strict=True))
    c9 = 11 - total % 11
    return body8 + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))


def make_code(prefix2: str, area: str, rng: random.Random, taken: set[str]) -> str:
    """An 18-character 统一社会信用代码 with a correct GB 32100 check character."""
    while True:
        first17 = prefix2 + area + org_code(f"{rng.randrange(10**7, 10**8)}")
        code = first17 + uscc_check_char(first17)
        if code not in taken:
            taken.add(code)
            return code


def wrong_check(code: str) -> str:
    """The same code with a wrong check character (a typo the registry would reject)."""
    from bangfu.parsing import USCC_CHARSET

    i = USCC_CHARSET.index(code[17])
    return code[:17] + USCC_CHARSET[(i + 7) % len(USCC_CHARSET)]


def make_units(rng: random.Random, first_year: int, last_year: int, n: int = 300) -> list[Unit]:
    """About `n` units: 区直 ~half over the 11 districts, 市直 ~30%, 国企 ~20%."""
    n_soe = max(6, n // 5)
    n_city = min(len(_CITY_BODIES), max(6, n * 3 // 10))
    n_dist = max(11, n - n_soe - n_city)
    taken: set[str] = set()
    rows: list[tuple[str, str, str, str]] = []  # name, type, district, prefix2

    district_names = list(DISTRICTS)
    per = {d: [] for d in district_names}
    for k in range(n_dist):
        per[district_names[k % len(district_names)]].append(k)
    for d in district_names:
        bodies = rng.sample(_DISTRICT_BODIES, min(len(per[d]), len(_DISTRICT_BODIES)))
        for body, kind in bodies:
            prefix = "广州市" if rng.random() < 0.6 else ""
            rows.append((f"{prefix}{d}{body}", "区直单位", d, "1" + kind[1]))
    for body, kind in rng.sample(_CITY_BODIES, n_city):
        rows.append((body, "市直单位", "", "1" + kind[1]))
    soe_names: list[str] = []
    for g in _SOE_GROUPS:
        soe_names.append(f"{g}有限公司" if not g.endswith("银行") else f"{g}股份有限公司")
    for g in _SOE_GROUPS:
        for sub in rng.sample(_SOE_SUBS[1:], 4):
            short = g.removeprefix("广州").removeprefix("市")
            soe_names.append(f"广州{short}{sub}有限公司")
    for name in soe_names[:n_soe]:
        rows.append((name, "国企", "", "91"))

    units: list[Unit] = []
    default_from = date(first_year - 3, 1, 1)
    for i, (name, utype, district, prefix2) in enumerate(rows):
        area = DISTRICTS[district] if district else CITY_CODE
        if utype == "国企" and rng.random() < 0.3:
            area = rng.choice(list(DISTRICTS.values()))
        code = make_code(prefix2, area, rng, taken)
        r = rng.random()
        valid_from, valid_to = default_from, None
        if r < 0.04 and last_year > first_year:  # joins in the last year
            valid_from = date(last_year, rng.choice((1, 1, 4, 7)), 1)
        elif r < 0.07:  # leaves (merged, restructured) part-way
            y = rng.randint(first_year, last_year)
            m = rng.choice((3, 6, 9))
            valid_to = date(y, m, 31 if m == 3 else 30)
        must = rng.random() < (0.93 if utype != "国企" else 0.9)
        units.append(Unit(i, code, name, utype, district, must, valid_from, valid_to))
    return units


def regions_source() -> Path:
    return Path(str(resources.files("bangfu.reference") / "regions.csv"))


def load_regions() -> list[dict[str, str]]:
    with regions_source().open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_reference(out: Path, units: list[Unit]) -> dict:
    """reference/units.csv (UTF-8, clean: the office's own registry) and regions.csv."""
    ref = out / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    header = "unit_code,unit_name,unit_type,district,must_report,valid_from,valid_to"
    lines = [header]
    for u in units:
        lines.append(
            ",".join(
                [
                    u.code,
                    u.name,
                    u.unit_type,
                    u.district,
                    "true" if u.must_report else "false",
                    u.valid_from.isoformat(),
                    u.valid_to.isoformat() if u.valid_to else "",
                ]
            )
        )
    (ref / "units.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    shutil.copyfile(regions_source(), ref / "regions.csv")
    n_regions = len(load_regions())
    return {
        "files": 2,
        "rows": len(units) + n_regions,
        "units": len(units),
        "regions": n_regions,
    }
