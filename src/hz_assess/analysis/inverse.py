"""The rules of SPEC §4.2 run backwards: the least actual that gives a row a wanted score.

Each numeric rule is monotone and piecewise linear in the actual a (t the target, W the
row's points), so each piece inverts exactly:
- growth: below t the base rises with slope W·penalty until it reaches W at a = t, then the
  over part rises with slope W·bonus until its cap at a = t + cap/bonus;
- completion (t > 0): nothing below the cliff a = zero_below·t, then base W·a/t up to W at
  a = t, then over W·bonus·(a/t − 1) up to its cap; a target of 0 is met by any a ≥ 0;
- qualitative: the levels, in the order of their factors.
These functions give the real-valued inverse; `need` rounds it to the row's reporting
precision and confirms it by re-scoring. They also say where a row's score stops changing
(`least_below`, `highest_useful`), which bounds that search.
"""

from __future__ import annotations

import math

from hz_assess.rules import AnyRule, Completion, Growth, Qualitative


def actual_for_base(rule: Growth | Completion, target: float, points: float, base: float) -> float:
    """The least actual whose base part is at least `base` (0 < base ≤ W); −inf when any actual will do."""
    if base <= 0:
        return -math.inf
    share = min(base / points, 1.0)
    if isinstance(rule, Growth):
        if rule.penalty_per_point <= 0:
            return -math.inf  # no penalty: every actual below t already gives the full base
        # W·(1 − p·(t − a)) ≥ b  iff  a ≥ t − (1 − b/W)/p
        return target - (1.0 - share) / rule.penalty_per_point
    if target == 0:
        return 0.0  # a target of 0 is met by any a ≥ 0
    # W·a/t ≥ b iff a ≥ t·b/W, but nothing at all below the cliff a = zero_below·t
    return max(target * share, rule.zero_below * target)


def actual_for_over(rule: Growth | Completion, target: float, points: float, over: float) -> float | None:
    """The least actual whose over part is at least `over`; None when the row's cap is below it."""
    if over <= 0:
        return float(target)
    if over > points * rule.bonus_cap + 1e-12:
        return None
    if isinstance(rule, Growth):
        if rule.bonus_per_point <= 0:
            return None
        # W·bonus·(a − t) ≥ o  iff  a ≥ t + o/(W·bonus)
        return target + over / (points * rule.bonus_per_point)
    if target == 0 or rule.bonus_per_ratio <= 0:
        return None
    # W·bonus·(a/t − 1) ≥ o  iff  a ≥ t·(1 + o/(W·bonus))
    return target * (1.0 + over / (points * rule.bonus_per_ratio))


def least_below(rule: Growth | Completion, target: float) -> float:
    """A bound below which every actual scores the row's least (0, or W when there is no penalty)."""
    if isinstance(rule, Growth):
        if rule.penalty_per_point <= 0:
            return float(target)
        return target - 1.0 / rule.penalty_per_point
    if target == 0:
        return 0.0
    return rule.zero_below * target  # 0 below the cliff; with no cliff, 0 at a ≤ 0 anyway


def highest_useful(rule: Growth | Completion, target: float) -> float:
    """The least actual at which the row scores its most (full base and, if any, its capped over)."""
    if isinstance(rule, Growth):
        if rule.bonus_per_point <= 0 or rule.bonus_cap <= 0:
            return float(target)
        return target + rule.bonus_cap / rule.bonus_per_point
    if target == 0 or rule.bonus_per_ratio <= 0 or rule.bonus_cap <= 0:
        return float(target)
    return target * (1.0 + rule.bonus_cap / rule.bonus_per_ratio)


def levels_upward(rule: Qualitative) -> list[str]:
    """The levels from the lowest factor to the highest (ties in the order the plan lists them)."""
    return [name for _, _, name in sorted((f, i, name) for i, (name, f) in enumerate(rule.levels.items()))]


def top_level(rule: Qualitative) -> str:
    return levels_upward(rule)[-1]


def is_numeric(rule: AnyRule) -> bool:
    return not isinstance(rule, Qualitative)
