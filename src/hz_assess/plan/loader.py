"""YAML -> Plan, with every problem reported by file, line and field path.

The YAML is read with a map of field path -> line, so pydantic's errors and the
cross-field rules below can name the line. Duplicate keys and aliases are refused
(PyYAML would silently keep the last key or expand the alias).

The command line asks for a cache (`load_plan(..., cache=True)`): parsing the YAML
(and importing PyYAML) is most of the cost of loading a plan, and the plan files
rarely change. What is cached is only the parsed data of both files, as JSON, under
a key made of the sha256 of the exact bytes just read, the tool's version and this
module's own source (which decides how YAML becomes data). Everything after parsing
— pydantic's validation and the cross-field rules — runs on every load, cached or
not, so a cached plan is validated on load by the same code, and a file changed by a
single byte is a different key. An entry that is missing, unreadable, corrupt or
whose data no longer validates is ignored and the files are read as if there were
no cache (a problem is then reported with its line); a cache that cannot be written
is skipped silently. The cache folder is trusted as the ledger beside it is: whoever
can write there can write the ledger too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from hz_assess.errors import PlanError, Problem
from hz_assess.models import (
    NO_BREAKDOWN,
    DepartmentsFile,
    Loc,
    Plan,
    TargetsFile,
)

TARGETS_NAME = "targets_2017.yaml"
DEPARTMENTS_NAME = "departments.yaml"

def bundled_path(name: str) -> Path:
    """The bundled data file: inside the wheel, or data/ of a source checkout."""
    packaged = Path(str(resources.files("hz_assess"))) / "data" / name
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "data" / name


# ---------------------------------------------------------------- YAML with lines


def _read_yaml(path: Path) -> tuple[Any, dict[Loc, int], str]:
    """Parse YAML into plain data, a map of field path -> 1-based line, and the sha256 of the bytes read.

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
    return data, lines, hashlib.sha256(raw).hexdigest()


def _walk(node: Any, loc: Loc, lines: dict[Loc, int], dups: list[Problem], file: str, walked: set[int]) -> None:
    import yaml

    if id(node) in walked:
        # an alias (*name) points at a node already walked: a plan needs none, and a
        # self-referencing or nested-alias file would otherwise never end
        raise PlanError(Problem("yaml_alias", f"{file}:{node.start_mark.line + 1}",
                                f"{_path_text(loc)}:不支持 YAML 锚点/别名(& 和 *),请把内容直接写出"))
    walked.add(id(node))
    # a key's own line, set by its parent, wins over the line its block value starts on
    lines.setdefault(loc, node.start_mark.line + 1)
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
        if part == "[key]":
            continue  # pydantic's marker for a bad dict key: the key itself is the place
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
    "finite_number": "不能是 NaN 或无穷大(.nan、.inf),应为有限的数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表([…])",
    "dict_type": "应为键值表(key: value)",
    "model_type": "应为键值表(key: value)",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
}
# bounds declared with Field(gt=…, ge=…, le=…): the message names the bound
_BOUND_MESSAGES = {
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
}
_NUMBER_TYPES = {"int_type", "float_type", "int_parsing", "float_parsing"}


M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], data: Any, lines: dict[Loc, int], file: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # pydantic reports a union once per branch ('int', 'float', 'str'…): one problem per place
        by_place: dict[Loc, list[ErrorDetails]] = {}
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
            by_place.setdefault(loc, []).append(err)
        problems = [_problem(file, lines, loc, errs) for loc, errs in by_place.items()]
        raise PlanError(problems) from exc


def _problem(file: str, lines: dict[Loc, int], loc: Loc, errs: list[ErrorDetails]) -> Problem:
    # a NaN or infinity says more than "not an int, not a text" from the other branches
    err = next((e for e in errs if e["type"] == "finite_number"), errs[0])
    kind, value = err["type"], err["input"]
    where = _where(file, lines, loc)
    if kind != "finite_number" and err["loc"] != loc and loc[:1] == ("indicators",):
        return Problem("yaml_target_type", where,
                       f"{_path_text(loc)}:目标「{value}」无效,应为数字、"
                       f"{NO_BREAKDOWN}、定性目标文字或 null(不考核)")
    if kind == "value_error":
        text = str(err["msg"]).removeprefix("Value error, ")
    elif kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        text = f"取值「{value}」无效,应为 {expected}"
    elif kind in _BOUND_MESSAGES:
        ctx = {k: _plain(v) for k, v in err.get("ctx", {}).items()}
        text = "不能为负数" if ctx == {"ge": "0"} else _BOUND_MESSAGES[kind].format(**ctx)
        text += f",实际为「{_plain(value)}」"
    else:
        text = _PYDANTIC_MESSAGES.get(kind, f"取值无效({err['msg']})")
        if kind not in ("missing", "extra_forbidden", "too_short", "string_too_short"):
            text += f",实际为「{_plain(value)}」" + _hint(kind, value)
    return Problem(f"yaml_{kind}", where, f"{_path_text(loc)}:{text}")


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _hint(kind: str, value: object) -> str:
    """What the YAML author most likely meant, for the type mistakes YAML invites."""
    if kind in _NUMBER_TYPES and isinstance(value, bool):
        return "(YAML 把 true/false、yes/no、on/off 读作是/否,不是数字)"
    if kind in _NUMBER_TYPES and isinstance(value, str):
        return "(数字不要加引号)"
    if kind == "string_type" and not isinstance(value, dict | list) and value is not None:
        return "(纯数字、日期或 yes/no 作文字时请加引号)"
    return ""


_UNION_TAGS = {"int", "float", "str", "none"}


# ---------------------------------------------------------------- loading


def load_plan(targets: Path | None = None, departments: Path | None = None, *, cache: bool = False) -> Plan:
    """Read and validate both plan files; raise PlanError listing every problem.

    `cache`: reuse the parsed YAML of files with exactly these bytes (see the module's docstring).
    """
    tpath = targets or bundled_path(TARGETS_NAME)
    dpath = departments or bundled_path(DEPARTMENTS_NAME)
    bundled = targets is None
    if cache:
        cached = _cached(tpath, dpath)
        if cached is not None:
            tdata, tsha, ddata, dsha = cached
            try:
                return _plan(tpath, tdata, {}, tsha, dpath, ddata, {}, dsha, bundled)
            except PlanError:
                pass  # the data no longer validates: read the files, so each problem names its line
    tdata, tlines, tsha = _read_yaml(tpath)
    ddata, dlines, dsha = _read_yaml(dpath)
    plan = _plan(tpath, tdata, tlines, tsha, dpath, ddata, dlines, dsha, bundled)
    if cache:
        _store(tsha, tdata, dsha, ddata)
    return plan


def _plan(tpath: Path, tdata: Any, tlines: dict[Loc, int], tsha: str, dpath: Path, ddata: Any,
          dlines: dict[Loc, int], dsha: str, bundled: bool) -> Plan:
    """Validate the parsed data of both files into a Plan (pydantic, then the cross-field rules)."""
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
        targets_sha256=tsha,
        departments_path=str(dpath),
        departments_sha256=dsha,
        bundled=bundled,
    )


# ---------------------------------------------------------------- the cache of parsed plan files

CACHE_FORMAT = "hz-assess plan cache 1"
CACHE_KEEP = 8  # entries kept: a few plans in use side by side; older ones are removed


def cache_dir() -> Path | None:
    """$HZ_ASSESS_HOME/cache, else the platform's user cache folder; None when neither can be named."""
    explicit = os.environ.get("HZ_ASSESS_HOME")
    try:
        if explicit:
            return Path(explicit).expanduser() / "cache"
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("hz-assess", appauthor=False))
    except (RuntimeError, OSError):  # ~user of a user that does not exist, no home folder
        return None


def _cache_key(tsha: str, dsha: str) -> str | None:
    from hz_assess import __version__

    try:
        code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    except OSError:
        return None
    return hashlib.sha256("\0".join((CACHE_FORMAT, __version__, code, tsha, dsha)).encode()).hexdigest()


def _cached(tpath: Path, dpath: Path) -> tuple[Any, str, Any, str] | None:
    """(targets data, sha256, departments data, sha256) from the cache, or None on any doubt."""
    folder = cache_dir()
    try:
        tsha = hashlib.sha256(tpath.read_bytes()).hexdigest()
        dsha = hashlib.sha256(dpath.read_bytes()).hexdigest()
    except OSError:
        return None  # reading them again reports it, in the usual order
    key = _cache_key(tsha, dsha)
    if folder is None or key is None:
        return None
    try:
        entry = json.loads((folder / f"plan-{key}.json").read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not (isinstance(entry, dict) and entry.get("format") == CACHE_FORMAT and entry.get("key") == key):
        return None
    return entry.get("targets"), tsha, entry.get("departments"), dsha


def _json_plain(value: object) -> bool:
    """True when JSON gives the value back exactly: text, finite numbers, true/false/null, lists, text-keyed maps."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(_json_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_plain(v) for k, v in value.items())
    return False


def _store(tsha: str, tdata: Any, dsha: str, ddata: Any) -> None:
    """Keep the parsed data of two files that made a valid plan, under the key of their bytes; never fails."""
    folder = cache_dir()
    key = _cache_key(tsha, dsha)
    if folder is None or key is None or not (_json_plain(tdata) and _json_plain(ddata)):
        return
    entry = {"format": CACHE_FORMAT, "key": key, "targets": tdata, "departments": ddata}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".plan-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False).encode())
            os.replace(tmp, folder / f"plan-{key}.json")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        entries = sorted(folder.glob("plan-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def file_sha256(path: Path) -> str:
    """The sha256 a Plan records for a file it was read from."""
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
        districts = [u.name for u in t.plan.units if not u.city]
        assessed = any(ind.applies_to(d) for d in districts)
        if assessed and ind.points is None:
            out.append(Problem("district_points_missing", _where(file, lines, base),
                               f"{label}:有县区考核此项,但没有县区分值(points);请写明分值"))
        elif not assessed and ind.points is not None:
            out.append(Problem("district_points_unused", _where(file, lines, (*base, "points")),
                               f"{label}.points:没有县区考核此项(全为 {NO_BREAKDOWN} 或空),县区分值不会被使用;"
                               "请删除 points,只保留 city_points"))
    for j, ref in enumerate(t.scoring.tie_break):
        if ref not in ids:
            out.append(Problem("unknown_indicator", _where(file, lines, ("scoring", "tie_break", j)),
                               f"scoring.tie_break[{j}]:指标「{ref}」不存在(应为附件1的序号)"))
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
            for ref in getattr(dep, field):
                if ref not in known:
                    out.append(Problem(
                        "unknown_indicator",
                        _where(file, lines, ("departments", i, field, ref)),
                        f"departments[{i}]({dep.name}).{field}.{ref}:指标「{ref}」不存在"
                        "(应为附件1的序号 1…34 或 city_targets 的编号 C01…)",
                    ))
    return out
