"""Totals, ranks and grades from the numeric core (SPEC §4.3–§4.8): still numbers only.

A `Standing` is one ranked unit's total and what ranking needs: the published total,
the tie-break keys, whether it is barred from 优秀 and why. `rank_group` orders one
group of units ranked together, shares ranks the tie-break cannot split, and hands out
grades by band within the quota. The robustness analysis uses this module on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from hz_assess.models import Adjustment, Cell, ScoringParams, quota_places
from hz_assess.rules import n
from hz_assess.scoring.core import (
    BELOW,
    MET,
    MISSING,
    DepartmentRows,
    Group,
    Method,
    Numbers,
    score_cells,
    status_at,
    statuses,
)

COUNTED = (MET, BELOW, MISSING)
ON_TRACK, BEHIND, YEAR_END = "达到进度", "落后进度", "年底评价"


def published(x: float, precision: int = 2) -> float:
    """The published total: half-up (89.995 -> 90.00), on the decimal a person reads, not the binary float."""
    step = Decimal(1).scaleb(-precision)
    return float(Decimal(repr(x)).quantize(step, rounding=ROUND_HALF_UP))


@dataclass(slots=True)
class Standing:
    name: str
    exact: float
    base: float
    over: float
    bonus: float
    deductions: float
    low: float
    high: float
    provisional: bool
    published: float = 0.0
    barred: list[str] = field(default_factory=list)
    tie_keys: tuple[float, ...] = ()
    progress: str | None = None
    ranked: bool = True
    rank: int | None = None
    grade: str = ""
    tie_note: str = ""
    grade_note: str = ""  # why the grade is not the band of the total: 否决, the quota, a tie across it


def capped_adjustments(items: Iterable[Adjustment], scoring: ScoringParams) -> tuple[float, float]:
    """Bonus and deduction totals, each capped (SPEC §4.3)."""
    listed = list(items)
    plus = sum(a.points for a in listed if a.points > 0)
    minus = -sum(a.points for a in listed if a.points < 0)
    return min(plus, scoring.bonus_cap), min(minus, scoring.deduction_cap)


def _barred(method: Method, group: Group, nums: Numbers, cells: Mapping[str, Cell],
            adjustments: Iterable[Adjustment], *, only: Iterable[str] | None = None) -> list[str]:
    """Why a unit may not be 优秀: a veto row judged 未完成, or a 加减分 item marked 否决."""
    level = method.scoring.veto_level
    refs = method.veto if only is None else method.veto.intersection(only)
    out = []
    for i in sorted(i for ref in refs if (i := group.index(ref)) is not None):
        row = group.rows[i]
        cell = cells.get(row.id)
        if status_at(group, nums, i) in (MET, BELOW) and cell is not None and cell.value == level:
            out.append(f"第{row.id}项「{row.name}」评定为{level}")
    out += [f"加减分事项「{a.item}」列为否决" for a in adjustments if a.veto]
    return out


def _tie_keys(ids: Sequence[str], group: Group, nums: Numbers) -> tuple[float, ...]:
    """base + over of each tie-break row, in turn; 0 where the unit has no such row scored."""
    keys = []
    for ref in ids:
        i = group.index(ref)
        keys.append(sum(nums.parts[i]) if i is not None and status_at(group, nums, i) in COUNTED else 0.0)
    return tuple(keys)


def _progress(method: Method, base: float) -> str | None:
    if not method.quarterly:
        return None
    return ON_TRACK if base >= method.scoring.progress_threshold else BEHIND


def unit_standing(method: Method, name: str, u: int, cells: Mapping[str, Cell],
                  adjustments: Sequence[Adjustment], *, city: bool = False) -> tuple[Standing, Numbers]:
    """A district (or, with city=True, the city) out of 100: base + capped over + bonus − deductions."""
    sc = method.scoring
    group = method.city_group if city else method.district_group
    nums = score_cells(group, u, cells)
    scale = 100.0 / nums.points if nums.points else 0.0
    base = nums.base_sum * scale
    over = min(nums.over_sum * scale, sc.over_cap)
    bonus, deductions = (0.0, 0.0) if city else capped_adjustments(adjustments, sc)
    exact = base + over + bonus - deductions
    high = ((nums.base_sum + nums.missing_points) * scale
            + min((nums.over_sum + nums.missing_over) * scale, sc.over_cap) + bonus - deductions)
    standing = Standing(
        name=name, exact=exact, base=base, over=over, bonus=bonus, deductions=deductions, low=exact, high=high,
        provisional=nums.missing > 0, published=published(exact, sc.precision),
        barred=[] if city else _barred(method, group, nums, cells, adjustments),
        tie_keys=_tie_keys(sc.tie_break, group, nums), progress=_progress(method, base),
    )
    return standing, nums


@dataclass(slots=True)
class DepartmentParts:
    """A department's indicator part (a weighted mean of its rows' score rates) and its rating."""

    part: float | None  # None: nothing to measure (no rows, or all pending)
    weight: float  # Σ weight over the rows that count
    part_high: float | None
    factor: float | None  # the rating as a factor of 1; None: not given yet


def rating_factor(method: Method, cell: Cell | None) -> float | None:
    """A rating level from YAML, or a 0–100 score ÷ 100; None when blank."""
    if cell is None or cell.value is None:
        return None
    if isinstance(cell.value, str):
        factor = method.scoring.departments.ratings.get(cell.value)
        if factor is None:
            raise ValueError(f"unknown rating {cell.value!r}")  # the reader admits only known levels
        return factor
    return cell.value / 100


def department_standing(method: Method, d: DepartmentRows, cells: Mapping[str, Cell], rating: Cell | None,
                        adjustments: Sequence[Adjustment]) -> tuple[Standing, Numbers, DepartmentParts]:
    """SPEC §4.8: the group's indicator weight × the indicator part + its rating weight × the rating.

    The indicator part is Σ weight × base/W ÷ Σ weight over led (weight 1) and supported
    (weight 0.5) rows at city level, so over-achievement cannot lift it above 1. A rating
    not given yet counts as the lowest level, and the range runs up to the highest.
    In a quarterly check ratings wait for the year end: the progress score is 100 × the part.
    """
    sc = method.scoring
    dp = sc.departments
    weights = dp.groups[d.department.group]
    nums = score_cells(d.group, 0, cells)
    rate = weight = missing = 0.0
    for row, (b, _), st in zip(d.group.rows, nums.parts, statuses(d.group, nums), strict=True):
        if st in COUNTED:
            weight += row.weight
            rate += row.weight * b / row.points
            if st == MISSING:
                missing += row.weight
    part = rate / weight if weight else None
    part_high = (rate + missing) / weight if weight else None
    factor = rating_factor(method, rating)
    parts = DepartmentParts(part, weight, part_high, factor)
    bonus, deductions = capped_adjustments(adjustments, sc)
    barred = _barred(method, d.group, nums, cells, adjustments, only=d.department.leads)
    keys = _tie_keys(dp.tie_break, d.group, nums)
    name = d.department.name
    if method.quarterly:
        if part is None:  # a rating-only department: nothing to check before the year-end rating
            return (Standing(name=name, exact=0.0, base=0.0, over=0.0, bonus=0.0, deductions=0.0, low=0.0,
                             high=0.0, provisional=False, progress=YEAR_END, ranked=False), nums, parts)
        exact = 100.0 * part
        return (Standing(name=name, exact=exact, base=exact, over=0.0, bonus=0.0, deductions=0.0, low=exact,
                         high=100.0 * (part_high or 0.0), provisional=nums.missing > 0,
                         published=published(exact, sc.precision), tie_keys=keys,
                         progress=_progress(method, exact)), nums, parts)
    iw, rw = (weights.indicator_weight, weights.rating_weight) if part is not None else (0.0, 100.0)
    levels = dp.ratings.values()
    low_factor = factor if factor is not None else min(levels)
    high_factor = factor if factor is not None else max(levels)
    base = iw * (part or 0.0) + rw * low_factor
    exact = base + bonus - deductions
    high = iw * (part_high or 0.0) + rw * high_factor + bonus - deductions
    return (Standing(name=name, exact=exact, base=base, over=0.0, bonus=bonus, deductions=deductions, low=exact,
                     high=high, provisional=nums.missing > 0 or factor is None,
                     published=published(exact, sc.precision), barred=barred, tie_keys=keys), nums, parts)


# ---------------------------------------------------------------- ranks and grades


def _tie_label(ids: Sequence[str], i: int) -> str:
    return f"第{ids[i]}项"


def rank_group(standings: Sequence[Standing], scoring: ScoringParams, tie_break: Sequence[str], *,
               quarterly: bool) -> list[str]:
    """Order, rank and grade one group of units ranked together (SPEC §4.4–§4.5); returns notes.

    Order: the published total, then the tie-break rows in turn; units equal on all of
    them share a rank (1, 2, 2, 4). Grades: the band of the published total; a barred
    unit drops below `vetoed_cannot_be`; within each grade's quota the places go in rank
    order, a unit beyond it drops one grade, and a tie the tie-break cannot split that
    straddles the quota gets the grade for all, with a note saying so.
    """
    group_size = len(standings)  # the quota counts every unit of the group, ranked now or not
    units = sorted((s for s in standings if s.ranked), key=lambda s: (-s.published, *(-k for k in s.tie_keys)))
    position = 0
    previous: tuple[float, ...] | None = None
    for i, s in enumerate(units, 1):
        key = (s.published, *s.tie_keys)
        if key != previous:
            position = i
        s.rank, previous = position, key
    _tie_notes(units, tie_break)
    if quarterly:
        return []
    names = [g.name for g in scoring.grades]
    index: dict[int, int] = {}
    for s in units:
        band = next((k for k, g in enumerate(scoring.grades) if s.published >= g.min), len(names) - 1)
        if s.barred and names[band] == scoring.vetoed_cannot_be and band < len(names) - 1:
            band += 1
            s.grade_note = (f"总分 {s.published:.2f} 达到{names[band - 1]}分数线,因否决不得评为{names[band - 1]},"
                            f"评为{names[band]}")
        index[id(s)] = band
    notes = []
    beyond: dict[tuple[str, int, str], list[str]] = {}  # (grade, places, given instead) -> units over the quota
    for g_index, grade in enumerate(names):
        if not scoring.quota or grade not in scoring.quota:
            continue
        places = quota_places(scoring.quota[grade], group_size)
        for rank, tied in groupby(units, key=lambda s: s.rank):
            contenders = [s for s in tied if index[id(s)] == g_index]
            if not contenders:
                continue
            if len(contenders) <= places:
                places -= len(contenders)
            elif places > 0:
                who = "、".join(s.name for s in contenders)
                limit = quota_places(scoring.quota[grade], group_size)
                notes.append(f"{grade}名额{limit}个:第{rank}名{who}共{len(contenders)}个单位总分相同、排序项也无法区分,"
                             f"均评为{grade},超出名额{len(contenders) - places}个,请考核办研究决定")
                for s in contenders:
                    s.grade_note = (f"{grade}名额{limit}个,与其并列第{rank}名的共{len(contenders)}个单位无法区分,"
                                    f"均评为{grade}(超出名额{len(contenders) - places}个,请考核办研究决定)")
                places = 0
            elif g_index < len(names) - 1:
                limit = quota_places(scoring.quota[grade], group_size)
                for s in contenders:
                    index[id(s)] = g_index + 1
                    s.grade_note = (f"总分 {s.published:.2f} 达到{grade}分数线,但{grade}名额{limit}个"
                                    f"(共{group_size}个单位)已由排名在前的单位占满,评为{names[g_index + 1]}")
                    beyond.setdefault((grade, limit, names[g_index + 1]), []).append(s.name)
    for s in units:
        s.grade = names[index[id(s)]]
    for (full, limit, instead), demoted in beyond.items():
        notes.append(f"{full}名额{limit}个(共{group_size}个单位):{'、'.join(demoted)}总分达到{full}分数线,"
                     f"名额已由排名在前的单位占满,按名次评为{instead}")
    return notes


def _tie_notes(units: Sequence[Standing], ids: Sequence[str]) -> None:
    """Say where the tie-break decided an order, and where it could not (a shared rank)."""
    for total, same in groupby(units, key=lambda s: s.published):
        tied = list(same)
        if len(tied) < 2:
            continue
        for a, b in zip(tied, tied[1:], strict=False):
            if a.rank == b.rank:
                continue
            i = next(k for k, (x, y) in enumerate(zip(a.tie_keys, b.tie_keys, strict=True)) if x != y)
            label, ka, kb = _tie_label(ids, i), n(a.tie_keys[i]), n(b.tie_keys[i])
            a.tie_note = _join(a.tie_note, f"与{b.name}总分同为 {total:.2f},按{label}得分 {ka} 高于 {kb} 排在前")
            b.tie_note = _join(b.tie_note, f"与{a.name}总分同为 {total:.2f},按{label}得分 {kb} 低于 {ka} 排在后")
        for _, shared in groupby(tied, key=lambda s: s.rank):
            group = list(shared)
            if len(group) < 2:
                continue
            rows = "、".join(f"第{x}项" for x in ids)
            how = f"{rows}得分也相同" if ids else "不设排序项"
            names = [o.name for o in group]
            for k, s in enumerate(group):
                # a long tie is named by its size: listing everyone for everyone would grow with n²
                others = ("、".join(names[:k] + names[k + 1:]) if len(group) <= 4
                          else f"其他 {len(group) - 1} 个单位")
                s.tie_note = _join(s.tie_note, f"与{others}总分同为 {total:.2f},{how},名次并列")


def _join(a: str, b: str) -> str:
    return f"{a};{b}" if a else b
