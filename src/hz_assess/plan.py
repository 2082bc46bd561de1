"""YAML -> Plan, with every problem reported by file, line and field path.

Also the plan's own consistency checks (`hz-assess check`), name resolution for
units and departments (aliases), and the comparison of the method against the
documented default.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hz_assess.errors import PlanError, Problem, UsageError
from hz_assess.models import (
    NO_BREAKDOWN,
    CityTarget,
    Department,
    DepartmentsFile,
    Indicator,
    Plan,
    ScoringParams,
    TargetsFile,
)

TARGETS_NAME = "targets_2017.yaml"
DEPARTMENTS_NAME = "departments.yaml"

Loc = tuple[str | int, ...]


def bundled_path(name: str) -> Path:
    """The bundled data file: inside the wheel, or data/ of a source checkout."""
    packaged = Path(str(resources.files("hz_assess"))) / "data" / name
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / name


# ---------------------------------------------------------------- YAML with lines


def _read_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML into plain data plus a map of field path -> 1-based line.

    Duplicate keys are an error (PyYAML silently keeps the last one).
    """
    import yaml

    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise PlanError(
            Problem("file_missing", str(path), "文件不存在,请检查路径")
        ) from exc
    except OSError as exc:
        raise PlanError(Problem("file_unreadable", str(path), f"无法读取:{exc.strerror}")) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError(
            Problem("not_utf8", str(path), "不是 UTF-8 编码的文本,请另存为 UTF-8 的 YAML 文件")
        ) from exc
    # the C parser (libyaml) is several times faster and gives the same nodes and marks
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PlanError(Problem("empty", str(path), "文件为空,请提供计划内容"))
        lines: dict[Loc, int] = {}
        dups: list[Problem] = []
        _walk(node, (), lines, dups, str(path), set())
        if dups:
            raise PlanError(dups)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise PlanError(
            Problem("yaml_syntax", where, f"YAML 格式错误({exc.problem}),请检查该行的缩进和冒号")
        ) from exc
    except yaml.YAMLError as exc:
        raise PlanError(Problem("yaml_syntax", str(path), f"YAML 格式错误:{exc}")) from exc
    finally:
        loader.dispose()
    return data, lines


def _walk(node: Any, loc: Loc, lines: dict[Loc, int], dups: list[Problem], file: str, walked: set[int]) -> None:
    import yaml

    if id(node) in walked:
        # an alias (*name) points at a node already walked: a plan needs none, and a
        # self-referencing or nested-alias file would otherwise never end
        raise PlanError(Problem("yaml_alias", f"{file}:{node.start_mark.line + 1}",
                                f"{_path_text(loc)}:不支持 YAML 锚点/别名(& 和 *),请把内容直接写出"))
    walked.add(id(node))
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                dups.append(
                    Problem(
                        "duplicate_key",
                        f"{file}:{line}",
                        f"{_path_text(loc + (key,))} 重复出现(第一次在第 {seen[key]} 行),"
                        "请删除其中一个",
                    )
                )
                continue
            seen[key] = line
            lines[loc + (key,)] = line
            _walk(value_node, loc + (key,), lines, dups, file, walked)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), lines, dups, file, walked)


def _path_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(根)"


def _line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


_PYDANTIC_MESSAGES = {
    "extra_forbidden": "未知字段,请删除或检查拼写",
    "missing": "缺少必填字段",
    "string_type": "应为文字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表([…])",
    "dict_type": "应为键值表(key: value)",
    "model_type": "应为键值表(key: value)",
    "greater_than": "应大于 0",
    "greater_than_equal": "不能为负数",
    "less_than_equal": "超出允许范围",
}


M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], data: Any, lines: dict[Loc, int], file: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        seen: set[Loc] = set()
        for err in exc.errors():
            # drop pydantic's union-branch tags such as 'int' / 'float' / 'str'
            raw_loc = err["loc"]
            loc: Loc = tuple(p for p in raw_loc if not (isinstance(p, str) and p in _UNION_TAGS))
            if loc in seen:
                continue  # a union reports once per branch; one line per place is enough
            seen.add(loc)
            if loc != raw_loc and loc[:1] == ("indicators",):
                problems.append(Problem("yaml_target_type", _where(file, lines, loc),
                                        f"{_path_text(loc)}:目标「{err['input']}」无效,应为数字、"
                                        f"{NO_BREAKDOWN}、定性目标文字或 null(不考核)"))
                continue
            line = _line_of(lines, loc)
            where = f"{file}:{line}" if line else file
            kind = err["type"]
            if kind == "value_error":
                text = str(err["msg"]).removeprefix("Value error, ")
            elif kind == "literal_error":
                expected = err.get("ctx", {}).get("expected", "")
                text = f"取值「{err['input']}」无效,应为 {expected}"
            else:
                text = _PYDANTIC_MESSAGES.get(kind, f"取值无效({err['msg']})")
                if kind not in ("missing", "extra_forbidden"):
                    text += f",实际为「{err['input']}」"
            problems.append(Problem(f"yaml_{kind}", where, f"{_path_text(loc)}:{text}"))
        raise PlanError(problems) from exc


_UNION_TAGS = {"int", "float", "str", "none"}


# ---------------------------------------------------------------- loading


def load_plan(targets: Path | None = None, departments: Path | None = None) -> Plan:
    """Read and validate both plan files; raise PlanError listing every problem."""
    tpath = targets or bundled_path(TARGETS_NAME)
    dpath = departments or bundled_path(DEPARTMENTS_NAME)
    tdata, tlines = _read_yaml(tpath)
    ddata, dlines = _read_yaml(dpath)
    problems: list[Problem] = []
    tfile = dfile = None
    try:
        tfile = _validate(TargetsFile, tdata, tlines, str(tpath))
    except PlanError as exc:
        problems += exc.problems
    try:
        dfile = _validate(DepartmentsFile, ddata, dlines, str(dpath))
    except PlanError as exc:
        problems += exc.problems
    if tfile is not None:
        problems += _targets_problems(tfile, tlines, str(tpath))
    if tfile is not None and dfile is not None:
        problems += _department_problems(tfile, dfile, dlines, str(dpath))
    if problems or tfile is None or dfile is None:
        raise PlanError(problems)
    return Plan(
        info=tfile.plan,
        categories=tfile.categories,
        indicators=tfile.indicators,
        city_targets=tfile.city_targets,
        scoring=tfile.scoring,
        audit=tfile.audit,
        departments=dfile.departments,
        targets_path=str(tpath),
        targets_sha256=_sha256(tpath),
        departments_path=str(dpath),
        departments_sha256=_sha256(dpath),
        bundled=targets is None,
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _where(file: str, lines: dict[Loc, int], loc: Loc) -> str:
    line = _line_of(lines, loc)
    return f"{file}:{line}" if line else file


def _targets_problems(t: TargetsFile, lines: dict[Loc, int], file: str) -> list[Problem]:
    """Cross-field rules pydantic cannot see: names must agree across the file."""
    out: list[Problem] = []
    units = [u.name for u in t.plan.units]
    cities = [u.name for u in t.plan.units if u.city]
    if len(cities) != 1:
        out.append(
            Problem("city_count", _where(file, lines, ("plan", "units")),
                    "plan.units:须有且只有一个单位标为 city: true(全市)")
        )
    seen_names: dict[str, str] = {}
    for i, u in enumerate(t.plan.units):
        for name in [u.name, *u.aliases]:
            if name in seen_names:
                out.append(
                    Problem("alias_clash", _where(file, lines, ("plan", "units", i)),
                            f"plan.units[{i}]:名称或别名「{name}」与 {seen_names[name]} 重复")
                )
            seen_names.setdefault(name, u.name)
    cats = {c.name for c in t.categories}
    if len(cats) != len(t.categories):
        out.append(Problem("duplicate_category", _where(file, lines, ("categories",)), "categories:栏目名称重复"))
    ids: set[str] = set()
    for i, ind in enumerate(t.indicators):
        base: Loc = ("indicators", i)
        label = f"indicators[{i}](序号 {ind.id})"
        if ind.id in ids:
            out.append(Problem("duplicate_id", _where(file, lines, (*base, "id")),
                               f"{label}:序号重复"))
        ids.add(ind.id)
        if ind.category not in cats:
            out.append(Problem("unknown_category", _where(file, lines, (*base, "category")),
                               f"{label}.category:栏目「{ind.category}」不在 categories 中"
                               f"(可用:{'、'.join(sorted(cats))})"))
        for given in ind.targets:
            if given not in units:
                out.append(Problem("unknown_unit", _where(file, lines, (*base, "targets", given)),
                                   f"{label}.targets:单位「{given}」不在 plan.units 中"))
        for expected in units:
            if expected not in ind.targets:
                out.append(Problem("missing_unit", _where(file, lines, (*base, "targets")),
                                   f"{label}.targets:缺少单位「{expected}」(不考核请写 null,"
                                   f"无分解请写 {NO_BREAKDOWN})"))
    for i, ct in enumerate(t.city_targets):
        if ct.id in ids:
            out.append(Problem("duplicate_id", _where(file, lines, ("city_targets", i, "id")),
                               f"city_targets[{i}]:编号 {ct.id} 重复"))
        ids.add(ct.id)
    return out


def _department_problems(
    t: TargetsFile, d: DepartmentsFile, lines: dict[Loc, int], file: str
) -> list[Problem]:
    known = {i.id for i in t.indicators} | {c.id for c in t.city_targets}
    out: list[Problem] = []
    if not d.departments:
        out.append(Problem("no_departments", _where(file, lines, ("departments",)), "departments:部门清单为空"))
    owner: dict[str, str] = {}
    ids: set[str] = set()
    for i, dep in enumerate(d.departments):
        if dep.id in ids:
            out.append(Problem("duplicate_id", _where(file, lines, ("departments", i, "id")),
                               f"departments[{i}]:序号 {dep.id} 重复"))
        ids.add(dep.id)
        for name in (dep.name, *dep.aliases):
            if name in owner:
                what = "重复" if owner[name] == dep.name else f"与 {owner[name]} 的名称或别名重复"
                out.append(Problem("duplicate_department", _where(file, lines, ("departments", i)),
                                   f"departments[{i}]({dep.name}):名称或别名「{name}」{what}"))
            owner.setdefault(name, dep.name)
        for field in ("leads", "supports"):
            for j, ref in enumerate(getattr(dep, field)):
                if ref not in known:
                    out.append(Problem(
                        "unknown_indicator",
                        _where(file, lines, ("departments", i, field, j)),
                        f"departments[{i}]({dep.name}).{field}[{j}]:指标「{ref}」不存在"
                        "(应为附件1的序号 1…34 或 city_targets 的编号 C01…)",
                    ))
    return out


# ---------------------------------------------------------------- names


def resolve_unit(plan: Plan, name: str, *, districts_only: bool = False) -> str:
    """Canonical unit name for a name or alias; UsageError listing valid names."""
    key = name.strip()
    for u in plan.info.units:
        if districts_only and u.city:
            continue
        if key == u.name or key in u.aliases:
            return u.name
    valid = plan.districts if districts_only else plan.unit_names
    raise UsageError(Problem("unknown_unit", "", f"没有名为「{name}」的县区,可用:{'、'.join(valid)}"))


def resolve_department(plan: Plan, name: str) -> Department:
    key = name.strip()
    for dep in plan.departments:
        if key in (dep.name, dep.id, *dep.aliases):
            return dep
    raise UsageError(Problem(
        "unknown_department", "",
        f"没有名为「{name}」的部门,可用:{'、'.join(d.name for d in plan.departments)}",
    ))


# ---------------------------------------------------------------- consistency


@dataclass(frozen=True)
class Finding:
    code: str
    indicator: str
    message: str


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def check_plan(plan: Plan) -> list[Finding]:
    """Things in a valid plan that do not add up (the seed's numbers are kept as printed)."""
    out: list[Finding] = []
    for ind in plan.indicators:
        if not ind.additive:
            continue
        city = ind.target(plan.city)
        parts = [ind.target(d) for d in plan.districts if ind.applies_to(d)]
        if not isinstance(city, int | float) or not parts:
            continue
        numbers = [p for p in parts if isinstance(p, int | float)]
        total = round(sum(numbers), 9)
        if abs(total - city) > 1e-9:
            detail = "+".join(_fmt(p) for p in numbers)
            out.append(Finding(
                "sum_mismatch", ind.id,
                f"第{ind.id}行「{ind.name}」:各县区目标合计 {detail} = {_fmt(total)},"
                f"与全市目标 {_fmt(city)} 不一致(相差 {_fmt(round(city - total, 9))})",
            ))
    total_points = round(sum(i.points for i in plan.indicators), 9)
    if abs(total_points - 100) > 1e-9:
        out.append(Finding("points_total", "",
                           f"附件1各指标分值合计 {_fmt(total_points)},不等于 100"))
    for cat in plan.categories:
        if not any(i.category == cat.name for i in plan.indicators):
            out.append(Finding("empty_category", "", f"栏目「{cat.name}」下没有指标"))
    for dep in plan.departments:
        both = set(dep.leads) & set(dep.supports)
        for ref in sorted(both):
            out.append(Finding("lead_and_support", ref,
                               f"{dep.name} 对「{ref}」既牵头又配合,请只保留一种"))
    return out


# ---------------------------------------------------------------- the method


# The documented default points and rule of each 附件1 row (SPEC §4.1/§4.2).
DEFAULT_POINTS: dict[str, tuple[float, str]] = {
    "1": (8, "growth"), "2": (5, "growth"), "3": (4, "completion"), "4": (5, "growth"),
    "5": (4, "growth"), "6": (4, "completion"), "7": (2, "growth"), "8": (4, "growth"),
    "9": (2, "growth"), "10": (4, "growth"), "11": (5, "completion"),
    "12": (4, "completion"), "13": (4, "completion"), "14": (4, "completion"),
    "15": (3, "completion"), "16": (3, "completion"), "17": (3, "completion"),
    "18": (3, "completion"), "19": (3, "completion"), "20": (1, "completion"),
    "21": (2, "completion"), "22": (3, "completion"), "23": (3, "completion"),
    "24": (2, "completion"), "25": (2, "qualitative"), "26": (1.5, "qualitative"),
    "27": (1.5, "qualitative"), "28": (1.5, "completion"), "29": (1.5, "completion"),
    "30": (2, "completion"), "31": (2, "completion"), "32": (1, "completion"),
    "33": (1, "completion"), "34": (1, "qualitative"),
}
DEFAULT_VETO = {"25"}
# method_fingerprint() of the bundled 2017 plan as documented; a test keeps the two in step
DEFAULT_METHOD_FINGERPRINT = "0e3ac8bfe08612023c5fdecc60733796b5bc805da3f0c9eb1fc64a8692733de7"


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = value


def method_changes(plan: Plan) -> list[str]:
    """Every way the plan's method departs from the documented default, in Chinese."""
    changes: list[str] = []
    now: dict[str, Any] = {}
    default: dict[str, Any] = {}
    _flatten("", plan.scoring.model_dump(mode="json"), now)
    _flatten("", ScoringParams().model_dump(mode="json"), default)
    for key in sorted(set(now) | set(default)):
        if now.get(key) != default.get(key):
            changes.append(f"scoring.{key}:默认 {default.get(key)} → 现为 {now.get(key)}")
    for ind in plan.indicators:
        points, rule = DEFAULT_POINTS.get(ind.id, (None, None))
        if ind.points != points:
            changes.append(f"第{ind.id}行分值:默认 {points} → 现为 {ind.points:g}")
        if ind.rule != rule:
            changes.append(f"第{ind.id}行规则:默认 {rule} → 现为 {ind.rule}")
        if ind.veto != (ind.id in DEFAULT_VETO):
            changes.append(f"第{ind.id}行一票否决:现为 {'是' if ind.veto else '否'}")
        for key, val in sorted(ind.params.items()):
            changes.append(f"第{ind.id}行参数 {key} = {val:g}(覆盖 {ind.rule} 默认值)")
    for ct in plan.city_targets:
        if ct.points is not None:
            changes.append(f"{ct.id} 分值 = {ct.points:g}")
        for key, val in sorted(ct.params.items()):
            changes.append(f"{ct.id} 参数 {key} = {val:g}(覆盖 {ct.rule} 默认值)")
    fingerprint = method_fingerprint(plan)
    if not changes and fingerprint != DEFAULT_METHOD_FINGERPRINT:
        changes.append(
            "指标的栏目、规则、季度累计属性、全市目标或部门牵头/配合关系与默认方法不同"
            f"(方法指纹 {fingerprint[:12]},默认 {DEFAULT_METHOD_FINGERPRINT[:12]})"
        )
    return changes


def method_fingerprint(plan: Plan) -> str:
    """sha256 of everything that decides a score besides the actuals and the targets' values."""
    import json

    doc = {
        "scoring": plan.scoring.model_dump(mode="json"),
        "indicators": [
            [i.id, i.category, i.rule, i.points, i.veto, i.accumulates, sorted(i.params.items())]
            for i in plan.indicators
        ],
        "city_targets": [
            [c.id, c.rule, c.points, c.accumulates, sorted(c.params.items())] for c in plan.city_targets
        ],
        "departments": [[d.name, d.leads, d.supports] for d in plan.departments],
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def indicator_params(plan: Plan, ind: Indicator | CityTarget) -> dict[str, float]:
    """The effective rule parameters of one indicator: per-kind defaults + overrides."""
    base: dict[str, float]
    if ind.rule == "growth":
        base = plan.scoring.growth.model_dump()
    elif ind.rule == "completion":
        base = plan.scoring.completion.model_dump()
    else:
        base = {}
    return {**base, **ind.params}


# ---------------------------------------------------------------- the plan as data


def target_text(cell: object) -> str:
    """A target cell as the seed prints it: 24.0 stays 24.0, blank stays blank."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return repr(cell)
    return str(cell)


def _json_target(cell: object) -> object:
    return None if cell == NO_BREAKDOWN else cell


def plan_document(plan: Plan, unit: str | None = None, department: str | None = None) -> dict[str, Any]:
    """`targets --format json` (SPEC §5), optionally narrowed to one unit or department."""
    units = [unit] if unit else plan.unit_names
    indicators = plan.indicators
    city_targets = plan.city_targets
    departments = plan.departments
    if unit:
        indicators = [i for i in indicators if i.applies_to(unit)]
        if unit != plan.city:
            city_targets = []
    if department:
        dep = resolve_department(plan, department)
        refs = set(dep.leads) | set(dep.supports)
        indicators = [i for i in indicators if i.id in refs]
        city_targets = [c for c in city_targets if c.id in refs]
        departments = [dep]
    return {
        "plan": {
            "id": plan.info.id,
            "title": plan.info.title,
            "doc_number": plan.info.doc_number,
            "issued": plan.info.issued,
            "year": plan.info.year,
            "sha256": plan.targets_sha256,
        },
        "units": units,
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "unit": i.unit,
                "category": i.category,
                "points": i.points,
                "rule": i.rule,
                "targets": {u: _json_target(i.target(u)) for u in units},
                "cells": {u: target_text(i.target(u)) for u in units},
            }
            for i in indicators
        ],
        "city_targets": [
            {
                "id": c.id,
                "name": c.name,
                "unit": c.unit,
                "target": c.target,
                "rule": c.rule,
                "source": c.source,
            }
            for c in city_targets
        ],
        "departments": [
            {"id": d.id, "name": d.name, "leads": d.leads, "supports": d.supports}
            for d in departments
        ],
    }
