"""Figures on the grid a row is reported on: the plan's own precision for its targets, and the
search for the least value on that grid that reaches a goal.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal

from hz_assess.models import Plan

__all__ = ["decimals_of", "grid_ceil", "least", "less", "on_grid", "row_decimals"]


def decimals_of(x: object) -> int:
    """Decimal places a number was written with: 7 → 0, 7.5 → 1, 24.0 → 1, 1.33 → 2."""
    if not isinstance(x, float):
        return 0  # an int (a count), or text
    exponent = Decimal(repr(x)).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def row_decimals(plan: Plan, row_id: str) -> int:
    """The precision the plan writes a row's targets in (every unit's, the city's included)."""
    ind = plan.indicator(row_id)
    if ind is not None:
        return max((decimals_of(v) for v in ind.targets.values()), default=0)
    ct = plan.city_target(row_id)
    return decimals_of(ct.target) if ct is not None else 0


def grid_ceil(x: float, d: int) -> int:
    """The grid index of x rounded up to d decimals."""
    return int(Decimal(repr(x)).scaleb(d).to_integral_value(rounding=ROUND_CEILING))


def on_grid(k: int, d: int) -> float:
    return float(Decimal(k).scaleb(-d))


def less(v: float, step: float) -> float:
    """1% less than v, and at least one grid step less (v = 3 家: 2, not 2.97)."""
    return v - max(abs(v) * 0.01, step)


def least(ok: Callable[[int], bool], lo: int, hi: int, guess: int) -> int:
    """The least k in (lo, hi] with ok(k), given ok(hi), not ok(lo) and ok monotone; `guess` is tried first
    with its neighbour, so a right guess costs two re-scorings, and a wrong one a bisection."""
    if lo < guess < hi:
        if ok(guess):
            hi = guess
            if hi - 1 > lo:
                if not ok(hi - 1):
                    return hi
                hi -= 1
        else:
            lo = guess
            if lo + 1 < hi:
                if ok(lo + 1):
                    return lo + 1
                lo += 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi
