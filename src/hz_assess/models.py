"""Pydantic v2 models of the plan, the actuals and the assessment results.

The plan models mirror data/targets_2017.yaml and data/departments.yaml one to one
and refuse every value that could not give a meaningful score: unknown keys, NaN or
infinite numbers, a YAML `yes` read as the number 1, a veto level or grade that does
not exist, factors outside 0–1. Each error carries the field path of the value at
fault, so the loader can name its YAML line. The result models are what every
renderer and exporter flattens; `Assessment.model_dump(mode="json")` *is* the JSON
output of `score --format json`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

NO_BREAKDOWN = "——"  # 附件1: the indicator has no district breakdown (city only)
RuleKind = Literal["growth", "completion", "qualitative"]
Number = int | float
# A target cell as printed: a number, "——", a qualitative text, or None (blank cell).
TargetCell = StrictInt | StrictFloat | str | None
Status = Literal["met", "below", "missing", "not_applicable", "pending"]
Role = Literal["", "lead", "support"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanModel(Strict):
    """A part of the plan YAML.

    strict: YAML reads `yes`/`on` as true, and pydantic would otherwise turn that into
    the number 1 (`points: yes` → 1 point); a quoted "5" is refused rather than guessed.
    allow_inf_nan=False: `.nan`/`.inf` anywhere, dict values included, would make every
    total NaN or infinite.
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


# A field path, as pydantic reports it and as the loader maps it to a YAML line.
Loc = tuple[str | int, ...]


def _error(loc: Loc, message: str, value: object) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)


def _refuse(title: str, errors: list[InitErrorDetails]) -> None:
    """Raise the errors found by a model validator, if any, each at the path of the value at fault.

    A ValueError from a model validator would be reported at the model itself; these
    keep the path (e.g. scoring.quota.特优), so the loader can name the YAML line.
    """
    if errors:
        raise ValidationError.from_exception_data(title, errors)


def _num(x: float) -> str:
    """A number as the YAML author wrote it: 1840 not 1840.0 or 1.84e+03."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _fraction_of_points(x: float) -> float:
    if not 0 <= x <= 1:
        raise ValueError(
            f"系数 {_num(x)} 应在 0 到 1 之间:它是该项分值的比例(1 为满分),"
            "大于 1 会使该项得分超过满分,负数会倒扣分"
        )
    return x


def _rating_factor(x: float) -> float:
    if not 0 <= x <= 1:
        raise ValueError(
            f"评价系数 {_num(x)} 应在 0 到 1 之间:它是评价部分分值的比例(1 为满分),"
            "大于 1 会使部门得分超过满分,负数会倒扣分"
        )
    return x


def _row_cap(x: float) -> float:
    if not 0 <= x <= 1:
        raise ValueError(
            f"超额加分上限 {_num(x)} 应在 0 到 1 之间:它是该项分值的比例(0.2 即 20%),"
            "大于 1 表示单项超额得分超过该项分值本身"
        )
    return x


def _on_100_scale(x: float) -> float:
    if not 0 <= x <= 100:
        raise ValueError(f"{_num(x)} 应在 0 到 100 之间(总分按百分制计)")
    return x


def _positive_weight(x: float) -> float:
    if x <= 0:
        raise ValueError(f"配合指标的权重 {_num(x)} 应大于 0(为 0 时只配合的部门指标部分恒为 0 分)")
    return x


FractionOfPoints = Annotated[float, AfterValidator(_fraction_of_points)]
RatingFactor = Annotated[float, AfterValidator(_rating_factor)]
RowCap = Annotated[float, AfterValidator(_row_cap)]
On100Scale = Annotated[float, AfterValidator(_on_100_scale)]


# ---------------------------------------------------------------- the method


class GrowthParams(PlanModel):
    """a ≥ t: W·(1 + min(bonus_per_point·(a−t), bonus_cap)); a < t: W·max(0, 1 − penalty·(t−a))."""

    bonus_per_point: float = Field(0.025, ge=0)
    bonus_cap: RowCap = 0.20
    penalty_per_point: float = Field(0.10, ge=0)


class CompletionParams(PlanModel):
    """r = a/t; r ≥ 1: W·(1 + min(bonus_per_ratio·(r−1), bonus_cap)); r < 1: W·r, 0 below zero_below."""

    bonus_per_ratio: float = Field(0.25, ge=0)
    bonus_cap: RowCap = 0.20
    zero_below: float = Field(0.5, ge=0, le=1)


class QualitativeParams(PlanModel):
    levels: dict[str, FractionOfPoints] = Field(
        default_factory=lambda: {"完成": 1.0, "基本完成": 0.6, "未完成": 0.0}, min_length=1
    )


class Grade(PlanModel):
    name: str = Field(min_length=1)
    min: On100Scale


DepartmentGroupKey = Literal["lead", "support", "service"]


class DepartmentGroup(PlanModel):
    """One of the three department groups (SPEC §4.8): its name and how its 100 points split."""

    name: str = Field(min_length=1)
    indicator_weight: float = Field(ge=0)
    rating_weight: float = Field(ge=0)

    @model_validator(mode="after")
    def _out_of_100(self) -> DepartmentGroup:
        total = self.indicator_weight + self.rating_weight
        if abs(total - 100) > 1e-9:
            # the grade bands (≥90 优秀 …) are on a 100-point scale for departments too
            _refuse("DepartmentGroup", [_error(("indicator_weight",), (
                f"indicator_weight 与 rating_weight 之和应为 100(部门总分按百分制,等次分数线也按百分制),"
                f"现为 {_num(self.indicator_weight)} + {_num(self.rating_weight)} = {_num(total)}"
            ), self.indicator_weight)])
        return self


def _default_groups() -> dict[DepartmentGroupKey, DepartmentGroup]:
    return {
        "lead": DepartmentGroup(name="牵头部门", indicator_weight=60, rating_weight=40),
        "support": DepartmentGroup(name="配合部门", indicator_weight=30, rating_weight=70),
        "service": DepartmentGroup(name="服务保障部门", indicator_weight=0, rating_weight=100),
    }


class DepartmentParams(PlanModel):
    support_factor: Annotated[float, AfterValidator(_positive_weight)] = 0.5
    city_target_points: float = Field(2, gt=0)
    ratings: dict[str, RatingFactor] = Field(
        default_factory=lambda: {"优秀": 1.0, "良好": 0.85, "一般": 0.70, "较差": 0.50}, min_length=1
    )
    groups: dict[DepartmentGroupKey, DepartmentGroup] = Field(default_factory=_default_groups)
    # rows 1, 2, 4 say nothing about departments that do not lead them: equal totals share a rank
    tie_break: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _all_groups(self) -> DepartmentParams:
        missing = [k for k in ("lead", "support", "service") if k not in self.groups]
        if missing:
            _refuse("DepartmentParams", [_error(("groups",), (
                f"缺少部门组别 {'、'.join(missing)}(须有 lead 牵头、support 配合、service 服务保障 三组)"
            ), list(self.groups))])
        return self


def _default_grades() -> list[Grade]:
    return [
        Grade(name="优秀", min=90),
        Grade(name="良好", min=80),
        Grade(name="合格", min=60),
        Grade(name="不合格", min=0),
    ]


_FRACTION = re.compile(r"(\d+)/(\d+)")


def quota_places(spec: int | str, n: int) -> int:
    """How many of `n` units ranked together may get the grade: a count, or floor(n × a/b), at least 1."""
    if isinstance(spec, int):
        return spec
    m = _FRACTION.fullmatch(spec)
    assert m is not None  # validated when the plan was loaded
    return max(1, n * int(m[1]) // int(m[2]))


def _quota(spec: int | str) -> int | str:
    if isinstance(spec, int):
        if spec < 1:
            raise ValueError(f"名额 {spec} 应为正整数(至少 1 个)")
        return spec
    m = _FRACTION.fullmatch(spec.strip())
    if m is None or int(m[2]) == 0 or not 0 < int(m[1]) <= int(m[2]):
        raise ValueError(f"名额「{spec}」无效:写一个正整数(如 2),或一个不大于 1 的分数(如 \"1/3\")")
    return spec.strip()


Quota = Annotated[int | str, AfterValidator(_quota)]


def _default_quota() -> dict[str, int | str]:
    return {"优秀": "1/3"}


class ScoringParams(PlanModel):
    """SPEC §4. Values a plan's YAML leaves out; the default method itself is the bundled YAML."""

    growth: GrowthParams = Field(default_factory=GrowthParams)
    completion: CompletionParams = Field(default_factory=CompletionParams)
    qualitative: QualitativeParams = Field(default_factory=QualitativeParams)
    over_cap: On100Scale = 10
    bonus_cap: On100Scale = 5
    deduction_cap: On100Scale = 10
    precision: int = Field(2, ge=0, le=4)
    tie_break: list[str] = Field(default_factory=lambda: ["1", "2", "4"])
    grades: list[Grade] = Field(default_factory=_default_grades)
    quota: dict[str, Quota] | None = Field(default_factory=_default_quota)
    veto_level: str = "未完成"
    vetoed_cannot_be: str = "优秀"
    progress_threshold: On100Scale = 90
    departments: DepartmentParams = Field(default_factory=DepartmentParams)

    @field_validator("quota", mode="before")
    @classmethod
    def _quota_off(cls, value: object) -> object:
        # `quota: none` in the YAML turns the quota off, as `quota: null` does
        return None if isinstance(value, str) and value.strip().lower() in ("none", "无") else value

    @model_validator(mode="after")
    def _names_exist(self) -> ScoringParams:
        """Every level and grade named elsewhere exists, and every grade can be reached."""
        errors: list[InitErrorDetails] = []
        levels = "、".join(self.qualitative.levels)
        if self.veto_level not in self.qualitative.levels:
            errors.append(_error(("veto_level",), (
                f"否决等级「{self.veto_level}」不在 scoring.qualitative.levels 中(可用:{levels}),"
                "一票否决将永远不会生效"
            ), self.veto_level))
        elif self.qualitative.levels[self.veto_level] >= max(self.qualitative.levels.values()):
            errors.append(_error(("veto_level",), (
                f"否决等级「{self.veto_level}」是得分最高的等级,一票否决会落在完成得最好的单位上"
            ), self.veto_level))
        if not self.grades:
            errors.append(_error(("grades",), "至少需要一个等次", self.grades))
        seen: dict[str, int] = {}
        for i, g in enumerate(self.grades):
            if g.name in seen:
                errors.append(_error(("grades", i, "name"),
                                     f"等次名称「{g.name}」重复(已见于 grades[{seen[g.name]}])", g.name))
            seen.setdefault(g.name, i)
            if i and g.min >= self.grades[i - 1].min:
                prev = self.grades[i - 1]
                errors.append(_error(("grades", i, "min"), (
                    f"分数线 {_num(g.min)} 不低于上一等次「{prev.name}」的 {_num(prev.min)}:等次须按分数线"
                    "从高到低排列且不能相同,否则有的等次永远评不到"
                ), g.min))
        if self.grades and self.grades[-1].min > 0:
            errors.append(_error(("grades", len(self.grades) - 1, "min"),
                                 "最后一个等次的分数线应为 0(否则低分单位没有等次)", self.grades[-1].min))
        names = [g.name for g in self.grades]
        available = "、".join(names)
        for name in self.quota or {}:
            if name not in seen:
                errors.append(_error(("quota", name), (
                    f"「{name}」不是 scoring.grades 中的等次(可用:{available});不限名额时可写 quota: none"
                ), name))
        if self.vetoed_cannot_be not in seen:
            errors.append(_error(("vetoed_cannot_be",),
                                 f"「{self.vetoed_cannot_be}」不是 scoring.grades 中的等次(可用:{available})",
                                 self.vetoed_cannot_be))
        elif names and self.vetoed_cannot_be == names[-1]:
            errors.append(_error(("vetoed_cannot_be",), (
                f"「{self.vetoed_cannot_be}」是最低等次,被否决的单位无法再降一等,否决不会生效"
            ), self.vetoed_cannot_be))
        _refuse("ScoringParams", errors)
        return self


RULE_PARAM_MODELS: dict[str, type[PlanModel]] = {
    "growth": GrowthParams,
    "completion": CompletionParams,
}


# ---------------------------------------------------------------- the plan


class Unit(PlanModel):
    name: str
    city: bool = False
    aliases: list[str] = Field(default_factory=list)


class PlanInfo(PlanModel):
    id: str
    title: str
    doc_number: str
    issued: str
    year: int
    units: list[Unit]
    issuer: str = "湖州市工业强市建设工作领导小组办公室"  # who publishes the assessment (SPEC §6)


class Category(PlanModel):
    name: str


Schedule = Literal["prorate", "annual", "year_end"]


def _rule_problems(rule: str, params: dict[str, float], schedule: Schedule | None) -> list[InitErrorDetails]:
    """Overrides the rule has, within the bounds of its per-kind parameters; no prorated rates or levels."""
    errors: list[InitErrorDetails] = []
    if rule == "growth" and schedule == "prorate":
        errors.append(_error(("schedule",), (
            "增幅类指标(rule: growth)是同比比率,不能按时间进度累计:"
            "schedule: prorate 会把季度目标算成全年增幅的几分之一(应为 annual 或 year_end)"
        ), schedule))
    if rule == "qualitative" and schedule == "prorate":
        errors.append(_error(("schedule",), "定性指标不能按时间进度折算(应为 year_end 或 annual)", schedule))
    model = RULE_PARAM_MODELS.get(rule)
    allowed = sorted(model.model_fields) if model else []
    for key in params:
        if key not in allowed:
            errors.append(_error(("params", key), f"规则 {rule} 没有参数 {key}" + (
                f"(可用:{'、'.join(allowed)})" if allowed else "(定性指标没有可覆盖的参数)"
            ), params[key]))
    if model is not None:
        try:
            model.model_validate({k: v for k, v in params.items() if k in allowed})
        except ValidationError as exc:
            # the same bounds as the per-kind parameters in scoring, reported at params.<key>
            for err in exc.errors():
                detail = InitErrorDetails(type=err["type"], loc=("params", *err["loc"]), input=err["input"])
                if "ctx" in err:
                    detail["ctx"] = err["ctx"]
                errors.append(detail)
    return errors


class Indicator(PlanModel):
    """One row of 附件1."""

    id: str
    name: str
    unit: str
    implied_unit: str = ""
    category: str
    rule: RuleKind
    points: float | None = Field(None, gt=0)  # districts' points; None: the row is not assessed for districts
    city_points: float = Field(gt=0)  # points in the city's own progress view (all rows)
    schedule: Schedule | None = None  # None: year_end for qualitative rows, annual otherwise
    veto: bool = False
    decline: bool = False
    targets: dict[str, TargetCell]
    plan_text: list[str] = Field(default_factory=list)
    params: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _cells_fit_rule(self) -> Indicator:
        errors: list[InitErrorDetails] = []
        for unit, cell in self.targets.items():
            loc: Loc = ("targets", unit)
            if isinstance(cell, str) and cell != NO_BREAKDOWN and self.rule != "qualitative":
                errors.append(_error(loc, f"{unit} 的目标「{cell}」不是数字,而规则为 {self.rule}", cell))
            elif isinstance(cell, int | float) and self.rule == "qualitative":
                errors.append(_error(loc, f"{unit} 的目标是数字,而规则为 qualitative(应为目标文字)", cell))
            elif isinstance(cell, int | float) and cell < 0 and self.rule == "completion":
                errors.append(_error(loc, _negative_completion(f"{unit} 的目标", cell), cell))
        if self.veto and self.rule != "qualitative":
            errors.append(_error(("veto",), "veto(一票否决)只适用于定性指标(rule: qualitative)", self.veto))
        errors += _rule_problems(self.rule, self.params, self.schedule)
        _refuse("Indicator", errors)
        return self

    @property
    def when(self) -> Schedule:
        """When the row is judged in a quarterly check (SPEC §4.7)."""
        return self.schedule or ("year_end" if self.rule == "qualitative" else "annual")

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


def _negative_completion(what: str, value: float) -> str:
    # r = a/t with t < 0 rewards a lower actual: the order of units would be reversed
    return (f"{what} {_num(value)} 为负数:完成率 = 实绩 ÷ 目标 会把实绩越低算成完成得越好"
            "(completion 规则的目标不能为负;下降类目标请写下降幅度)")


class CityTarget(PlanModel):
    """A further quantified city-level target of §二/§三 (C01…)."""

    id: str
    name: str
    unit: str
    target: Number | str
    rule: RuleKind
    schedule: Schedule | None = None
    decline: bool = False
    points: float | None = Field(None, gt=0)
    source: str
    params: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _rule_fits(self) -> CityTarget:
        errors = _rule_problems(self.rule, self.params, self.schedule)
        if isinstance(self.target, str) != (self.rule == "qualitative"):
            errors.append(_error(("target",), "定性目标(rule: qualitative)的目标写目标文字,其余规则写数字",
                                 self.target))
        elif isinstance(self.target, int | float) and self.rule == "completion" and self.target < 0:
            errors.append(_error(("target",), _negative_completion("目标", self.target), self.target))
        _refuse("CityTarget", errors)
        return self

    @property
    def when(self) -> Schedule:
        return self.schedule or ("year_end" if self.rule == "qualitative" else "annual")


def _default_count_units() -> list[str]:
    return ["家", "个", "项", "位", "台", "场"]


class AuditParams(PlanModel):
    """数据审核 (SPEC §3.3): thresholds of the plausibility warnings (`audit:` in targets YAML).

    The defaults equal data/targets_2017.yaml. Every number must be finite and inside
    its bounds, so a typo cannot silently switch a warning off (or on for everything).
    """

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


class TargetsFile(PlanModel):
    """data/targets_2017.yaml."""

    plan: PlanInfo
    categories: list[Category]
    indicators: list[Indicator]
    city_targets: list[CityTarget] = Field(default_factory=list)
    scoring: ScoringParams = Field(default_factory=ScoringParams)
    audit: AuditParams = Field(default_factory=AuditParams)


class Department(PlanModel):
    """One row of 附件2."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    duty: str
    # indicator or city target id -> the words of the duty text that make it the department's
    leads: dict[str, str] = Field(default_factory=dict)
    supports: dict[str, str] = Field(default_factory=dict)

    @property
    def group(self) -> DepartmentGroupKey:
        """牵头 if it leads anything, 配合 if it only supports, else 服务保障 (SPEC §4.8)."""
        return "lead" if self.leads else ("support" if self.supports else "service")


class DepartmentsFile(PlanModel):
    """data/departments.yaml."""

    departments: list[Department]


class Plan(PlanModel):
    """The whole plan: targets, departments, method, and where they came from."""

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
    """A value read from a workbook and where it came from: the file's name and sheet!A1."""

    value: CellValue = None
    where: str = ""
    file: str = ""

    @property
    def source(self) -> str:
        """file!sheet!cell, as every result and report names it."""
        return f"{self.file}!{self.where}" if self.file and self.where else self.where


class Adjustment(Strict):
    """A 加减分 item: positive is a bonus, negative a deduction; `veto` bars the subject from 优秀."""

    subject: str
    item: str
    points: float
    veto: bool = False
    basis: str = ""
    note: str = ""  # 备注
    where: str = ""
    file: str = ""


class SourceFile(Strict):
    """One workbook read: its path, its sha256 and what it was meant to hold (SPEC §3.1).

    scope: "" for a whole workbook, else a return form's "district:长兴县",
    "department:市经信委" or "city".
    """

    path: str
    sha256: str
    scope: str = ""
    info: dict[str, str] = Field(default_factory=dict)  # 说明's 填报信息: 填报单位, 填报人, 联系电话 …


class Remark(Strict):
    """A 备注 typed beside a row (县区实绩, 全市目标, 部门评价): kept so `collect` loses nothing people wrote.

    key: the indicator id (县区实绩), the city target id (全市目标) or the department (部门评价).
    """

    sheet: str
    key: str
    text: str
    where: str = ""
    file: str = ""


class Actuals(Strict):
    """What the workbooks say, merged. Absent or None values are missing data.

    `path`/`sha256` name the one workbook read (empty when several were collected);
    `files` lists every workbook that supplied values.
    """

    path: str = ""
    sha256: str = ""
    period: str = "2017"
    files: list[SourceFile] = Field(default_factory=list)
    units: dict[str, dict[str, Cell]] = Field(default_factory=dict)
    city_targets: dict[str, Cell] = Field(default_factory=dict)
    ratings: dict[str, Cell] = Field(default_factory=dict)
    adjustments: list[Adjustment] = Field(default_factory=list)
    remarks: list[Remark] = Field(default_factory=list)

    def source_files(self) -> list[SourceFile]:
        """`files`, or the one workbook `path` names when nobody listed them (Actuals built in code)."""
        if self.files:
            return list(self.files)
        return [SourceFile(path=self.path, sha256=self.sha256)] if self.path else []

    @field_validator("period")
    @classmethod
    def _period_shape(cls, period: str) -> str:
        import re

        if not re.fullmatch(r"\d{4}(Q[1-4])?", period):
            raise ValueError("期别应为 2017 或 2017Q1…2017Q4")
        return period


# ---------------------------------------------------------------- the results
#
# The complete result of one assessment: everything any writer shows is here, so a
# view never needs the Plan. `Assessment.model_dump(mode="json")` is the JSON of
# `score --format json` (SPEC §5) and what the ledger keeps; `model_validate_json`
# reads it back. Per-indicator rows are built from the numeric core only when asked
# for (`.indicators`), so scoring thousands of units stays fast.


class DataWarning(Strict):
    """A 警告 of 数据审核 (SPEC §3.3): the value can be scored but is probably wrong.

    `file` is the workbook's name, `cell` is sheet!A1 (or "" for a whole-file matter).
    """

    code: str
    file: str = ""
    cell: str = ""
    message: str


class IndicatorResult(Strict):
    """One indicator (or city target) for one unit: its inputs and the two parts of its score.

    `lost` and `contribution` are on the scale of the unit's total: what the row costs
    the total against full points, and what it adds to it.
    """

    id: str
    name: str
    unit: str
    category: str
    rule: RuleKind
    role: Role = ""
    weight: float = 1.0
    points: float
    target: TargetCell
    annual_target: TargetCell
    actual: CellValue = None
    source: str = ""
    status: Status
    base: float = 0.0
    over: float = 0.0
    score_rate: float | None = None
    completion: float | None = None
    gap: float | None = None
    gap_unit: str = ""
    lost: float = 0.0
    contribution: float = 0.0

    @property
    def score(self) -> float:
        """base + over: the indicator's points before scaling to the total."""
        return self.base + self.over


class CategoryScore(Strict):
    score: float
    full: float


class _WithIndicators(Strict):
    """A result holding one row per indicator, built on first use when it came from the core."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=True,
                              validate_by_alias=True)

    rows: list[IndicatorResult] | None = Field(default=None, alias="indicators")
    _build: Callable[[], list[IndicatorResult]] | None = PrivateAttr(default=None)

    @property
    def indicators(self) -> list[IndicatorResult]:
        if self.rows is None:
            self.rows = self._build() if self._build is not None else []
        return self.rows

    def defer_indicators(self, build: Callable[[], list[IndicatorResult]]) -> None:
        self.rows, self._build = None, build

    @model_serializer(mode="wrap")
    def _dump_with_rows(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        self.indicators  # noqa: B018 -- materialise the deferred rows before dumping
        out: dict[str, object] = handler(self)
        out["indicators"] = out.pop("indicators")  # after the unit's own fields, as SPEC §5 lists them
        return out

    def indicator(self, ind_id: str) -> IndicatorResult | None:
        return next((r for r in self.indicators if r.id == ind_id), None)


class RankedResult(_WithIndicators):
    """What a ranked unit (a district or a department) gets: SPEC §5."""

    rank: int | None
    name: str
    score: float  # the published total: score_exact rounded half-up to 2 decimals
    score_exact: float
    base: float
    over: float
    bonus: float
    deductions: float
    grade: str
    provisional: bool
    score_range: tuple[float, float]
    vetoed: bool = False
    veto_reasons: list[str] = Field(default_factory=list)
    progress: str | None = None
    tie_break: str = ""
    grade_reason: str = ""  # why the grade is not the band of the total: 否决, the 优秀 quota, a tie across it
    categories: dict[str, CategoryScore] = Field(default_factory=dict)
    adjustments: list[Adjustment] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    scale: float = 0.0  # points of the total per weighted indicator point


class UnitResult(RankedResult):
    """A district."""

    unreported: bool = False  # 未报送: workbooks were read and none holds a value of this district (SPEC §3.4)


class DepartmentResult(RankedResult):
    group: DepartmentGroupKey = "service"
    rating: float | str | None = None
    rating_source: str = ""
    rating_factor: float | None = None
    indicator_part: float | None = None
    rating_part: float | None = None


class CityResult(_WithIndicators):
    """The city's progress report (not ranked): 附件1's 全市 column and the further city targets."""

    name: str
    score: float
    score_exact: float
    base: float
    over: float
    provisional: bool
    score_range: tuple[float, float]
    progress: str | None = None
    categories: dict[str, CategoryScore] = Field(default_factory=dict)
    city_targets: list[IndicatorResult] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    unreported: bool = False
    scale: float = 0.0


class PlanRef(Strict):
    id: str
    title: str
    doc_number: str = ""
    year: int = 0
    issuer: str = ""
    sha256: str
    path: str = ""
    departments_sha256: str = ""
    departments_path: str = ""


class InputFile(Strict):
    path: str
    sha256: str


class InputRef(Strict):
    files: list[InputFile] = Field(default_factory=list)
    period: str

    @property
    def names(self) -> str:
        """The input files' names for a line of text (a, b)."""
        return "、".join(Path(f.path).name for f in self.files) or "—"


class MethodInfo(Strict):
    default: bool
    label: str
    changes: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    params: ScoringParams


class RuleSpec(Strict):
    """An indicator's rule as data: enough to rebuild the Rule and explain any of its scores."""

    kind: RuleKind
    params: dict[str, float]
    decline: bool = False
    schedule: Schedule = "annual"


class CategoryInfo(Strict):
    name: str
    full: float


class Assessment(Strict):
    plan: PlanRef
    input: InputRef
    method: MethodInfo
    provisional: bool = False
    warnings: list[DataWarning] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    categories: list[CategoryInfo] = Field(default_factory=list)
    rules: dict[str, RuleSpec] = Field(default_factory=dict)
    districts: list[UnitResult]
    departments: list[DepartmentResult]
    city: CityResult

    @property
    def quarterly(self) -> bool:
        return "Q" in self.input.period

    def district(self, name: str) -> UnitResult | None:
        return next((d for d in self.districts if d.name == name), None)

    def department(self, name: str) -> DepartmentResult | None:
        return next((d for d in self.departments if d.name == name), None)
