"""Pydantic v2 models of the plan, the actuals and the assessment results.

The plan models mirror data/targets_2017.yaml and data/departments.yaml one to one
(extra="forbid", so a misspelt key is an error). The result models are what every
renderer and exporter flattens; `Assessment.model_dump(mode="json")` *is* the JSON
output of `score --format json`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

NO_BREAKDOWN = "——"  # 附件1: the indicator has no district breakdown (city only)
RuleKind = Literal["growth", "completion", "qualitative"]
Number = int | float
# A target cell as printed: a number, "——", a qualitative text, or None (blank cell).
TargetCell = StrictInt | StrictFloat | str | None
Status = Literal["met", "below", "missing", "not_applicable", "pending"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- the method


class GrowthParams(Strict):
    """a ≥ t: W·(1 + min(bonus_per_point·(a−t), bonus_cap)); a < t: W·max(0, 1 − penalty·(t−a))."""

    bonus_per_point: float = Field(0.025, ge=0)
    bonus_cap: float = Field(0.20, ge=0)
    penalty_per_point: float = Field(0.10, ge=0)


class CompletionParams(Strict):
    """r = a/t; r ≥ 1: W·(1 + min(bonus_per_ratio·(r−1), bonus_cap)); r < 1: W·r, 0 below zero_below."""

    bonus_per_ratio: float = Field(0.25, ge=0)
    bonus_cap: float = Field(0.20, ge=0)
    zero_below: float = Field(0.5, ge=0, le=1)


class QualitativeParams(Strict):
    levels: dict[str, float] = Field(
        default_factory=lambda: {"完成": 1.0, "基本完成": 0.6, "未完成": 0.0}, min_length=1
    )


class Grade(Strict):
    name: str
    min: float


class DepartmentParams(Strict):
    indicator_weight: float = Field(60, ge=0)
    rating_weight: float = Field(40, ge=0)
    support_factor: float = Field(0.5, ge=0)
    city_target_points: float = Field(2, gt=0)
    ratings: dict[str, float] = Field(
        default_factory=lambda: {"优秀": 1.0, "良好": 0.85, "一般": 0.70, "较差": 0.50}, min_length=1
    )


def _default_grades() -> list[Grade]:
    return [
        Grade(name="优秀", min=90),
        Grade(name="良好", min=80),
        Grade(name="合格", min=60),
        Grade(name="不合格", min=0),
    ]


class ScoringParams(Strict):
    """SPEC §4. The defaults here are the documented default method."""

    growth: GrowthParams = Field(default_factory=GrowthParams)
    completion: CompletionParams = Field(default_factory=CompletionParams)
    qualitative: QualitativeParams = Field(default_factory=QualitativeParams)
    veto_level: str = "未完成"
    bonus_cap: float = Field(5, ge=0)
    deduction_cap: float = Field(10, ge=0)
    grade_mode: Literal["bands", "top_n"] = "bands"
    grades: list[Grade] = Field(default_factory=_default_grades)
    top_n: dict[str, int] = Field(default_factory=lambda: {"优秀": 2})
    vetoed_cannot_be: str = "优秀"
    departments: DepartmentParams = Field(default_factory=DepartmentParams)

    @field_validator("grades")
    @classmethod
    def _grades_descending(cls, grades: list[Grade]) -> list[Grade]:
        if not grades:
            raise ValueError("至少需要一个等次")
        mins = [g.min for g in grades]
        if mins != sorted(mins, reverse=True):
            raise ValueError("等次须按分数线从高到低排列")
        if mins[-1] > 0:
            raise ValueError("最后一个等次的分数线应为 0(否则低分单位没有等次)")
        return grades


RULE_PARAM_MODELS: dict[str, type[Strict]] = {
    "growth": GrowthParams,
    "completion": CompletionParams,
}


# ---------------------------------------------------------------- the plan


class Unit(Strict):
    name: str
    city: bool = False
    aliases: list[str] = Field(default_factory=list)


class PlanInfo(Strict):
    id: str
    title: str
    doc_number: str
    issued: str
    year: int
    units: list[Unit]


class Category(Strict):
    name: str


def _check_overrides(rule: str, params: dict[str, float]) -> dict[str, float]:
    model = RULE_PARAM_MODELS.get(rule)
    allowed = set(model.model_fields) if model else set()
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(
            f"规则 {rule} 没有参数 {'、'.join(unknown)}"
            + (f"(可用:{'、'.join(sorted(allowed))})" if allowed else "")
        )
    if model is not None:
        try:
            model.model_validate(params)  # the same bounds as the per-kind parameters
        except ValidationError as exc:
            names = "、".join(str(e["loc"][0]) for e in exc.errors())
            raise ValueError(f"参数 {names} 超出允许范围(不能为负数,zero_below 不大于 1)") from None
    return params


class Indicator(Strict):
    """One row of 附件1."""

    id: str
    name: str
    unit: str
    implied_unit: str = ""
    category: str
    rule: RuleKind
    points: float = Field(gt=0)
    veto: bool = False
    decline: bool = False
    accumulates: bool = False
    targets: dict[str, TargetCell]
    plan_text: list[str] = Field(default_factory=list)
    params: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _cells_fit_rule(self) -> Indicator:
        for unit, cell in self.targets.items():
            if isinstance(cell, str) and cell != NO_BREAKDOWN and self.rule != "qualitative":
                raise ValueError(f"{unit} 的目标「{cell}」不是数字,而规则为 {self.rule}")
            if isinstance(cell, int | float) and self.rule == "qualitative":
                raise ValueError(f"{unit} 的目标是数字,而规则为 qualitative(应为目标文字)")
        if self.veto and self.rule != "qualitative":
            raise ValueError("veto(一票否决)只适用于定性指标(rule: qualitative)")
        _check_overrides(self.rule, self.params)
        return self

    @property
    def display_unit(self) -> str:
        return self.unit or self.implied_unit

    @property
    def additive(self) -> bool:
        """Counts and amounts: district targets should add up to the city's."""
        return self.rule == "completion" and self.unit != "%" and "/" not in self.unit

    def target(self, unit: str) -> TargetCell:
        return self.targets.get(unit)

    def applies_to(self, unit: str) -> bool:
        cell = self.targets.get(unit)
        return cell is not None and cell != NO_BREAKDOWN


class CityTarget(Strict):
    """A further quantified city-level target of §二/§三 (C01…)."""

    id: str
    name: str
    unit: str
    target: Number
    rule: Literal["growth", "completion"]
    accumulates: bool = False
    decline: bool = False
    points: float | None = Field(None, gt=0)
    source: str
    params: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _overrides(self) -> CityTarget:
        _check_overrides(self.rule, self.params)
        return self


def _default_count_units() -> list[str]:
    return ["家", "个", "项", "位", "台", "场"]


class AuditParams(Strict):
    """数据审核 (SPEC §3.3): thresholds of the plausibility warnings (`audit:` in targets YAML).

    The defaults equal data/targets_2017.yaml. Every number must be finite and inside
    its bounds, so a typo cannot silently switch a warning off (or on for everything).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    # 全市 vs districts, additive rows: the allowed difference is the larger of the plan's own
    # difference for the row and this share of the larger of 全市 and the districts' sum
    city_sum_tolerance: float = Field(0.01, ge=0, le=0.5)
    # 全市 vs districts, rates and levels: 全市 may lie this far outside the districts'
    # min…max (in the row's unit), for figures each rounded to one decimal
    city_range_margin: float = Field(0.1, ge=0, le=10)
    # measure words of counts: such an actual must be a whole number
    count_units: list[str] = Field(default_factory=_default_count_units)
    # counts, amounts and levels: more than this many times the target, or less than this share of it
    completion_ratio_max: float = Field(5, gt=1, le=1000)
    completion_ratio_min: float = Field(0.2, gt=0, lt=1)
    # growth and decline rates: this many times the target or more, or beyond ± this many points
    rate_ratio_max: float = Field(10, gt=1, le=1000)
    rate_abs_max: float = Field(50, gt=0, le=1000)
    # a percentage typed as a fraction: a value below 1 that is under this share of the target
    fraction_ratio: float = Field(0.05, gt=0, lt=1)
    # a department's numeric rating up to this (0.85 typed for 85) is probably a fraction
    rating_fraction_max: float = Field(1, gt=0, lt=100)


class TargetsFile(Strict):
    """data/targets_2017.yaml."""

    plan: PlanInfo
    categories: list[Category]
    indicators: list[Indicator]
    city_targets: list[CityTarget] = Field(default_factory=list)
    scoring: ScoringParams = Field(default_factory=ScoringParams)
    audit: AuditParams = Field(default_factory=AuditParams)


class Department(Strict):
    """One row of 附件2."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    duty: str
    leads: list[str] = Field(default_factory=list)
    supports: list[str] = Field(default_factory=list)
    basis: str = ""


class DepartmentsFile(Strict):
    """data/departments.yaml."""

    departments: list[Department]


class Plan(BaseModel):
    """The whole plan: targets, departments, method, and where they came from."""

    model_config = ConfigDict(extra="forbid")

    info: PlanInfo
    categories: list[Category]
    indicators: list[Indicator]
    city_targets: list[CityTarget]
    scoring: ScoringParams
    audit: AuditParams = Field(default_factory=AuditParams)
    departments: list[Department]
    targets_path: str
    targets_sha256: str
    departments_path: str
    departments_sha256: str
    bundled: bool = True

    @property
    def unit_names(self) -> list[str]:
        return [u.name for u in self.info.units]

    @property
    def city(self) -> str:
        return next(u.name for u in self.info.units if u.city)

    @property
    def districts(self) -> list[str]:
        return [u.name for u in self.info.units if not u.city]

    def indicator(self, ind_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == ind_id), None)

    def city_target(self, ct_id: str) -> CityTarget | None:
        return next((c for c in self.city_targets if c.id == ct_id), None)


# ---------------------------------------------------------------- the actuals

CellValue = float | str | None


class Cell(Strict):
    """A value read from the workbook and the cell it came from (e.g. 县区实绩!F5)."""

    value: CellValue = None
    where: str = ""


class Adjustment(Strict):
    """A 加减分 item: positive is a bonus, negative a deduction."""

    subject: str
    item: str
    points: float
    basis: str = ""
    where: str = ""


class Actuals(Strict):
    """What a filled workbook says. Absent or None values are missing data."""

    path: str = ""
    sha256: str = ""
    period: str = "2017"
    units: dict[str, dict[str, Cell]] = Field(default_factory=dict)
    city_targets: dict[str, Cell] = Field(default_factory=dict)
    ratings: dict[str, Cell] = Field(default_factory=dict)
    adjustments: list[Adjustment] = Field(default_factory=list)

    @field_validator("period")
    @classmethod
    def _period_shape(cls, period: str) -> str:
        import re

        if not re.fullmatch(r"\d{4}(Q[1-4])?", period):
            raise ValueError("期别应为 2017 或 2017Q1…2017Q4")
        return period


# ---------------------------------------------------------------- the results


class DataWarning(Strict):
    """A 警告 of 数据审核 (SPEC §3.3): the value can be scored but is probably wrong.

    `file` is the workbook's name, `cell` is sheet!A1 (or "" for a whole-file matter).
    """

    code: str
    file: str = ""
    cell: str = ""
    message: str


class IndicatorResult(Strict):
    id: str
    name: str
    unit: str
    target: TargetCell
    actual: CellValue
    points: float
    score: float
    completion: float | None
    status: Status
    rule: str = ""
    role: str = ""
    params: dict[str, float] = Field(default_factory=dict)
    steps: list[str] = Field(default_factory=list)
    where: str = ""
    max_score: float = 0.0
    weight: float = 1.0
    annual_target: TargetCell = None


class UnitResult(Strict):
    rank: int | None
    name: str
    score: float
    grade: str
    provisional: bool
    vetoed: bool
    categories: dict[str, float]
    bonus: float
    deductions: float
    indicators: list[IndicatorResult]
    base_score: float = 0.0
    scale: float = 0.0
    score_range: tuple[float, float] = (0.0, 0.0)
    adjustments: list[Adjustment] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)


class DepartmentResult(Strict):
    rank: int | None
    name: str
    score: float
    grade: str
    provisional: bool
    indicators: list[IndicatorResult]
    rating: float | str | None
    rating_factor: float | None = None
    indicator_part: float | None = None
    rating_part: float = 0.0
    bonus: float = 0.0
    deductions: float = 0.0
    scale: float = 0.0
    score_range: tuple[float, float] = (0.0, 0.0)
    adjustments: list[Adjustment] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)


class CityResult(Strict):
    name: str
    score: float
    provisional: bool
    categories: dict[str, float]
    indicators: list[IndicatorResult]
    city_targets: list[IndicatorResult]
    scale: float = 0.0
    score_range: tuple[float, float] = (0.0, 0.0)
    missing: list[str] = Field(default_factory=list)


class PlanRef(Strict):
    id: str
    title: str
    sha256: str
    path: str = ""
    departments_sha256: str = ""


class InputRef(Strict):
    path: str
    sha256: str
    period: str


class MethodInfo(Strict):
    default: bool
    label: str
    changes: list[str] = Field(default_factory=list)
    proration: str = ""
    params: ScoringParams


class Assessment(Strict):
    plan: PlanRef
    input: InputRef
    method: MethodInfo
    warnings: list[str] = Field(default_factory=list)
    districts: list[UnitResult]
    departments: list[DepartmentResult]
    city: CityResult
