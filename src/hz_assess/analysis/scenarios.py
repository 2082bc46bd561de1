"""The scenarios of the robustness analysis: the method as planned, varied.

Every single-drop scenario once, deterministically (each district indicator left out in
turn, the method otherwise as planned), then `samples` random methods drawn from
`random.Random(seed)` alone, each varying every district indicator's points (× U(0.75,
1.25), renormalised to the planned total, 100) and the three rates of the rules (the growth
bonus and penalty per point and the completion bonus per ratio, each × U(0.5, 1.5)).
A scenario says the same to `compile_method` (`Scenario.overrides`), which is how tests
hold the fast re-scoring to the numeric core.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import NamedTuple

from hz_assess.models import Plan
from hz_assess.scoring.core import Overrides

__all__ = ["POINT_SPREAD", "RATES", "RATE_SPREAD", "Scenario", "district_rows", "scenarios"]

POINT_SPREAD = 0.25  # each indicator's points × U(1 − 0.25, 1 + 0.25)
RATE_SPREAD = 0.50  # each rate × U(1 − 0.5, 1 + 0.5)
RATES = (("growth", "bonus_per_point"), ("growth", "penalty_per_point"), ("completion", "bonus_per_ratio"))


class Scenario(NamedTuple):
    """One method to re-score with: district points (empty: as planned), a factor per rate, a row left out."""

    points: tuple[float, ...] = ()  # in the order of the district rows; () = as planned
    rates: tuple[float, float, float] = (1.0, 1.0, 1.0)
    drop: str | None = None

    def overrides(self, plan: Plan, ids: Sequence[str]) -> Overrides:
        """The same scenario for `compile_method` (ids: the district rows, in order)."""
        params: dict[str, dict[str, float]] = {}
        if self.rates != (1.0, 1.0, 1.0):
            for (kind, name), factor in zip(RATES, self.rates, strict=True):
                nominal = getattr(getattr(plan.scoring, kind), name)
                params.setdefault(kind, {})[name] = nominal * factor
        return Overrides(points=dict(zip(ids, self.points, strict=True)) if self.points else {},
                         rule_params=params, drop=(self.drop,) if self.drop else ())


def district_rows(plan: Plan) -> list[str]:
    """The ids of the rows districts are scored on, in the plan's order."""
    return [i.id for i in plan.indicators if i.points is not None]


def scenarios(plan: Plan, samples: int, seed: int) -> list[Scenario]:
    """Every single-drop scenario, then `samples` random methods, all from `random.Random(seed)` alone."""
    ids = district_rows(plan)
    planned = [next(i.points for i in plan.indicators if i.id == ref) or 0.0 for ref in ids]
    total = math.fsum(planned)  # fsum: exactly rounded, so the draws are the same on every Python
    out = [Scenario(drop=ref) for ref in ids]
    draw = random.Random(seed).random
    low, span = 1.0 - POINT_SPREAD, 2 * POINT_SPREAD
    rate_low, rate_span = 1.0 - RATE_SPREAD, 2 * RATE_SPREAD
    for _ in range(samples):
        drawn = [w * (low + span * draw()) for w in planned]
        scale = total / math.fsum(drawn)
        rates = (rate_low + rate_span * draw(), rate_low + rate_span * draw(), rate_low + rate_span * draw())
        out.append(Scenario(tuple([w * scale for w in drawn]), rates))
    return out
