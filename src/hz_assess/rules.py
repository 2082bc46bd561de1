"""The three rule kinds of SPEC §4.2, each one object with two faces.

`score(actual, target, points)` works on plain floats and returns the two parts of
an indicator's score: `base` in [0, W] and `over` ≥ 0 (超额). It is what the numeric
core calls for every cell, so it allocates nothing but the result tuple.
`describe(...)` returns the same arithmetic as numbered Chinese steps, produced only
when someone asks (`explain`, a detail view). Both read the same parameters, so an
explanation can never disagree with the number it explains.

A rule is rebuilt from its kind and parameters alone (`make_rule`), which is how an
assessment read back from the ledger can still explain itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from hz_assess.labels import RULE_NAMES

__all__ = ["RULE_NAMES", "AnyRule", "Completion", "Growth", "Qualitative", "Rule", "make_rule", "n", "pct"]


def n(x: float) -> str:
    """A number in a step of arithmetic: up to 4 decimals, no trailing zeros, no "-0"."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def pct(x: float) -> str:
    """A fraction as a percentage for a sentence: 0.025 -> 2.5%."""
    return f"{n(x * 100)}%"


class Rule(Protocol):
    kind: ClassVar[str]

    def score(self, actual: Any, target: Any, points: float) -> tuple[float, float]:
        """(base, over) for one cell: numbers for growth/completion, a level's name for qualitative."""
        ...

    def max_over(self, points: float) -> float:
        """The largest over-achievement part the rule can give on W points."""
        ...

    def params(self) -> dict[str, float]: ...

    def summary(self) -> str:
        """The rule in one Chinese sentence, with its parameters."""
        ...

    def describe(self, actual: float | str, target: float | str, points: float) -> list[str]:
        """The steps of `score`, one Chinese line each."""
        ...


@dataclass(frozen=True, slots=True)
class Growth:
    """Rates in % or percentage points, and 下降率 rows (the actual is the decline achieved).

    a ≥ t: base W, over W·min(bonus_per_point·(a−t), bonus_cap);
    a < t: base W·max(0, 1 − penalty_per_point·(t−a)), over 0.
    """

    bonus_per_point: float
    bonus_cap: float
    penalty_per_point: float
    kind: ClassVar[Literal["growth"]] = "growth"

    def score(self, actual: Any, target: Any, points: float) -> tuple[float, float]:
        # the hot path: actual and target are numbers (the reader and the plan see to it)
        if actual >= target:
            rate = self.bonus_per_point * (actual - target)
            return points, points * (rate if rate < self.bonus_cap else self.bonus_cap)
        factor = 1.0 - self.penalty_per_point * (target - actual)
        return (points * factor if factor > 0.0 else 0.0), 0.0

    def max_over(self, points: float) -> float:
        return points * self.bonus_cap

    def params(self) -> dict[str, float]:
        return {"bonus_per_point": self.bonus_per_point, "bonus_cap": self.bonus_cap,
                "penalty_per_point": self.penalty_per_point}

    def summary(self) -> str:
        return (f"达到目标得满分;每超 1 个百分点另加分值的 {pct(self.bonus_per_point)}(超额分封顶为分值的 "
                f"{pct(self.bonus_cap)});每低 1 个百分点扣分值的 {pct(self.penalty_per_point)}(最低 0 分)")

    def describe(self, actual: float | str, target: float | str, points: float) -> list[str]:
        a, t, w = float(actual), float(target), points
        base, over = self.score(a, t, w)
        if a >= t:
            rate = min(self.bonus_per_point * (a - t), self.bonus_cap)
            return [
                f"实绩 {n(a)} ≥ 目标 {n(t)}:基本分 = 分值 {n(w)}",
                f"超出 {n(a)} − {n(t)} = {n(a - t)} 个百分点;超额比例 = min({n(self.bonus_per_point)} × "
                f"{n(a - t)}, {n(self.bonus_cap)}) = {n(rate)}",
                f"超额分 = {n(w)} × {n(rate)} = {n(over)}",
            ]
        factor = max(0.0, 1.0 - self.penalty_per_point * (t - a))
        return [
            f"实绩 {n(a)} < 目标 {n(t)}:低 {n(t - a)} 个百分点",
            f"得分比例 = max(0, 1 − {n(self.penalty_per_point)} × {n(t - a)}) = {n(factor)}",
            f"基本分 = {n(w)} × {n(factor)} = {n(base)};超额分 0",
        ]


@dataclass(frozen=True, slots=True)
class Completion:
    """Counts, amounts and levels: r = a/t.

    r ≥ 1: base W, over W·min(bonus_per_ratio·(r−1), bonus_cap); zero_below ≤ r < 1: base W·r;
    r < zero_below: 0. A target of 0 is met by any a ≥ 0 (base W, no over).
    """

    bonus_per_ratio: float
    bonus_cap: float
    zero_below: float
    kind: ClassVar[Literal["completion"]] = "completion"

    def score(self, actual: Any, target: Any, points: float) -> tuple[float, float]:
        if target == 0:
            return (points, 0.0) if actual >= 0 else (0.0, 0.0)
        r = actual / target
        if r >= 1.0:
            rate = self.bonus_per_ratio * (r - 1.0)
            return points, points * (rate if rate < self.bonus_cap else self.bonus_cap)
        return (points * r, 0.0) if r >= self.zero_below else (0.0, 0.0)

    def max_over(self, points: float) -> float:
        return points * self.bonus_cap

    def params(self) -> dict[str, float]:
        return {"bonus_per_ratio": self.bonus_per_ratio, "bonus_cap": self.bonus_cap,
                "zero_below": self.zero_below}

    def summary(self) -> str:
        return (f"完成率 r = 实绩 ÷ 目标;r ≥ 1 得满分,每超 1% 另加分值的 {pct(self.bonus_per_ratio / 100)}"
                f"(超额分封顶为分值的 {pct(self.bonus_cap)});{n(self.zero_below)} ≤ r < 1 得 r × 分值;"
                f"r < {n(self.zero_below)} 得 0 分;目标为 0 时实绩不为负即得满分")

    def describe(self, actual: float | str, target: float | str, points: float) -> list[str]:
        a, t, w = float(actual), float(target), points
        base, over = self.score(a, t, w)
        if t == 0:
            verdict = "≥ 0,得满分(不计超额分)" if a >= 0 else "< 0,得 0 分"
            return [f"目标为 0:实绩 {n(a)} {verdict};基本分 {n(base)}"]
        r = a / t
        head = f"完成率 r = {n(a)} ÷ {n(t)} = {n(r)}"
        if r >= 1:
            rate = min(self.bonus_per_ratio * (r - 1), self.bonus_cap)
            return [
                head,
                f"r ≥ 1:基本分 = 分值 {n(w)}",
                f"超额比例 = min({n(self.bonus_per_ratio)} × ({n(r)} − 1), {n(self.bonus_cap)}) = {n(rate)};"
                f"超额分 = {n(w)} × {n(rate)} = {n(over)}",
            ]
        if r >= self.zero_below:
            return [head, f"{n(self.zero_below)} ≤ r < 1:基本分 = {n(w)} × {n(r)} = {n(base)};超额分 0"]
        return [head, f"r < {n(self.zero_below)}:基本分 0;超额分 0"]


@dataclass(frozen=True, slots=True)
class Qualitative:
    """完成 / 基本完成 / 未完成 (levels from YAML): base W × the level's factor, never over."""

    levels: Mapping[str, float]
    kind: ClassVar[Literal["qualitative"]] = "qualitative"

    def score(self, actual: Any, target: Any, points: float) -> tuple[float, float]:
        if not isinstance(actual, str) or actual not in self.levels:
            # the reader admits only the levels of the plan; anything else is a bug upstream
            raise ValueError(f"qualitative actual must be one of {list(self.levels)}, got {actual!r}")
        return points * self.levels[actual], 0.0

    def max_over(self, points: float) -> float:
        return 0.0

    def params(self) -> dict[str, float]:
        return dict(self.levels)

    def summary(self) -> str:
        levels = "、".join(f"{k} {n(v)}" for k, v in self.levels.items())
        return f"按评定等级计分(× 分值):{levels};不计超额分"

    def describe(self, actual: float | str, target: float | str, points: float) -> list[str]:
        base, _ = self.score(actual, target, points)
        factor = self.levels[str(actual)]
        return [f"评定为「{actual}」,系数 {n(factor)}", f"基本分 = {n(points)} × {n(factor)} = {n(base)};超额分 0"]


AnyRule = Growth | Completion | Qualitative


def make_rule(kind: str, params: Mapping[str, float]) -> AnyRule:
    """The rule of `kind` with `params` (complete: defaults already merged in)."""
    if kind == "growth":
        return Growth(params["bonus_per_point"], params["bonus_cap"], params["penalty_per_point"])
    if kind == "completion":
        return Completion(params["bonus_per_ratio"], params["bonus_cap"], params["zero_below"])
    if kind == "qualitative":
        return Qualitative(dict(params))
    raise ValueError(f"unknown rule kind {kind!r}")
