"""Build examples/actuals_2017.xlsx: a filled year-end workbook to try hz-assess on.

The numbers are illustrative (示意数据,非官方统计): near each target, with a few
honest shortfalls, and deterministic (a fixed seed), so re-running the script gives
the same values. Run from anywhere: `python examples/make_example.py`.
"""

from __future__ import annotations

import io
import random
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from hz_assess.models import Indicator, Plan
from hz_assess.output import write_file
from hz_assess.plan import load_plan
from hz_assess.workbook import build_template
from hz_assess.workbook.layout import CITY_ACTUAL_COL, FIRST_ROW, FIRST_UNIT_COL, LIST_FIRST_ROW, RATING_COL

OUT = Path(__file__).resolve().parent / "actuals_2017.xlsx"
LABEL = "【示意数据,非官方统计】"

# (unit, indicator id) -> actual: the deliberate shortfalls and the one 基本完成
SHORTFALLS: dict[tuple[str, str], float | str] = {
    ("湖州开发区", "1"): 8.1,
    ("南浔区", "8"): 5.8,
    # 南浔区 has a weak year, so the example shows a 良好 beside the 优秀s
    ("南浔区", "1"): 5.6,
    ("南浔区", "4"): 3.2,
    ("南浔区", "11"): 0.95,
    ("南浔区", "18"): 16.0,
    ("南浔区", "31"): 12.5,
    ("安吉县", "12"): 168.0,
    ("吴兴区", "17"): 13.0,
    ("南浔区", "27"): "基本完成",
}
# one rating per department in 附件2 order: levels and 0–100 scores, as offices give them
RATINGS: list[float | str] = [
    "优秀", "良好", "一般", "优秀", "优秀", "良好", "优秀", "良好", "良好", 92, "良好", "优秀", "良好", "优秀",
    88, 95, "良好", 86, 90, 93, "良好", "一般", 91, 89, 87, "良好", 94, "优秀",
]
ADJUSTMENTS = [
    ("长兴县", "获评全省工业强县(示意)", 2, "示意:省经信委2017年度通报"),
    ("德清县", "入选国家级智能制造试点示范项目1个(示意)", 1.5, "示意:工信部2017年试点示范项目名单"),
    ("南浔区", "发生较大工业安全生产事故1起(示意)", -1, "示意:市安委会通报"),
    ("市经信委", "牵头工作获省政府督查激励(示意)", 1, "示意:省政府办公厅督查激励通报"),
]


def actual_for(ind: Indicator, count_units: list[str], target: float, rng: random.Random) -> float:
    """A plausible actual at or a little above the target, rounded the way statistics are printed."""
    if ind.rule == "growth":
        return round(target + rng.choice([-0.8, -0.3, 0.1, 0.3, 0.5, 0.8, 1.2]), 1)
    ratio = rng.choice([0.9, 0.96, 1.0, 1.02, 1.05, 1.08, 1.12])
    if target == 0:
        return 1.0
    value = target * ratio
    if ind.display_unit in count_units:  # a count is a whole number (数据审核 warns otherwise)
        return float(max(round(value), round(target)))
    return round(value, 2) if target < 5 else round(value, 1)


def fill(plan: Plan) -> object:
    wb = build_template(plan, "2017")
    rng = random.Random(2017)
    count_units = plan.audit.count_units
    ws = wb["县区实绩"]
    ws["A1"] = f"{ws['A1'].value}{LABEL}"
    for r, ind in enumerate(plan.indicators):
        values: dict[str, float | str] = {}
        for unit in plan.districts:
            if not ind.applies_to(unit):
                continue
            target = ind.target(unit)
            if ind.rule == "qualitative":
                values[unit] = "完成"
            else:
                assert isinstance(target, int | float)
                values[unit] = actual_for(ind, count_units, float(target), rng)
            values[unit] = SHORTFALLS.get((unit, ind.id), values[unit])
        city_target = ind.target(plan.city)
        if ind.rule == "qualitative":
            values[plan.city] = "完成"
        elif ind.additive and all(ind.applies_to(d) for d in plan.districts):
            values[plan.city] = float(round(sum(float(values[d]) for d in plan.districts), 1))
        else:
            assert isinstance(city_target, int | float)
            values[plan.city] = actual_for(ind, count_units, float(city_target), rng)
        for c, unit in enumerate(plan.unit_names):
            if unit in values:
                ws.cell(row=FIRST_ROW + r, column=FIRST_UNIT_COL + c, value=values[unit])
    ws.cell(row=FIRST_ROW + 16, column=FIRST_UNIT_COL + len(plan.unit_names), value="示意:认定结果以公示为准")

    city = wb["全市目标"]
    city["A1"] = f"{city['A1'].value}{LABEL}"
    for r, ct in enumerate(plan.city_targets):
        unit_rng = random.Random(f"{ct.id}-2017")
        value: float | str = "完成" if isinstance(ct.target, str) else actual_for_city(
            ct.rule, float(ct.target), ct.unit, ct.unit in count_units, unit_rng)
        city.cell(row=LIST_FIRST_ROW + r, column=CITY_ACTUAL_COL, value=value)

    deps = wb["部门评价"]
    deps["A1"] = f"{deps['A1'].value}{LABEL}"
    for r, _dep in enumerate(plan.departments):
        deps.cell(row=LIST_FIRST_ROW + r, column=RATING_COL, value=RATINGS[r % len(RATINGS)])

    adj = wb["加减分"]
    adj["A1"] = f"{adj['A1'].value}{LABEL}"
    for r, (subject, item, points, basis) in enumerate(ADJUSTMENTS):
        for c, value in enumerate((subject, item, points, None, basis), start=1):  # 对象 事项 分值 否决 依据
            adj.cell(row=LIST_FIRST_ROW + r, column=c, value=value)

    notes = wb["说明"]
    notes["A1"] = f"{notes['A1'].value}{LABEL}"
    disclaimer = "本文件为示意数据,非官方统计,仅用于演示 hz-assess 的用法;数字均为虚构。"
    notes.cell(row=notes.max_row + 2, column=1).value = disclaimer
    wb.properties.creator = "hz-assess examples/make_example.py"
    wb.properties.title = f"2017年湖州市工业强市建设实绩{LABEL}"
    wb.properties.created = wb.properties.modified = datetime(2018, 1, 15, 9, 0, 0)
    return wb


def actual_for_city(rule: str, target: float, unit: str, count: bool, rng: random.Random) -> float:
    if rule == "growth":
        return round(target + rng.choice([0.2, 0.5, 1.0, 1.5]), 1)
    value = target * rng.choice([0.96, 1.0, 1.03, 1.06, 1.1])
    # counts (家, 个, 项…) are whole numbers however small the target: 5 × 1.03 is 5, not 5.15
    whole = count or (target >= 10 and unit not in ("%", "亿元"))
    return float(round(value)) if whole else round(value, 2)


def reproducible(path: Path) -> None:
    """Pin the save time openpyxl stamps into the file, so every run gives the same bytes (and sha256)."""
    stamp = (2018, 1, 15, 9, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2018-01-15T09:00:00Z", data)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=stamp), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(buf.getvalue())


def main() -> int:
    plan = load_plan()
    wb = fill(plan)
    write_file(OUT, wb.save, suffixes=(".xlsx",), force=True)  # type: ignore[attr-defined]
    reproducible(OUT)
    print(f"已生成 {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
