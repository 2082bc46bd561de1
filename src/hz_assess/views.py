"""Assessment (+ a request) -> named tables and documents: the only place rows are built.

A `Table` is output that is rendered nowhere yet: a title, columns (a JSON key, a
Chinese header, a kind that says how to show the value), rows of raw values, and a
mark per row (grade band, shortfall…) that writers may colour. A `Document` is a
title, provenance lines and a sequence of tables and text blocks. The terminal
(rich), csv, md, html, xlsx and docx writers and `--format json` only lay these out,
so a column added here appears everywhere at once. Nothing here needs the Plan:
the Assessment describes itself.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from string import Formatter
from typing import TYPE_CHECKING, Any, Literal

from hz_assess.labels import CHANGE_KINDS
from hz_assess.models import (
    Assessment,
    CityResult,
    DepartmentGroupKey,
    DepartmentResult,
    IndicatorResult,
    RankedResult,
    UnitResult,
)
from hz_assess.plan import Finding
from hz_assess.rules import RULE_NAMES, make_rule, n

if TYPE_CHECKING:
    from hz_assess.analysis.need import Goal, NeedResult, RowNeed
    from hz_assess.analysis.robustness import Robustness
    from hz_assess.ledger import Comparison, RunInfo
    from hz_assess.trend import Trend

Kind = Literal["text", "int", "score", "value", "percent", "points"]
STATUS_TEXT = {"met": "达标", "below": "未达标", "missing": "缺数据", "not_applicable": "不考核",
               "pending": "待年底评定"}
ROLE_TEXT = {"lead": "牵头", "support": "配合", "": ""}


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key: stable, English
    title: str  # the header a person reads
    kind: Kind = "text"
    narrow: bool = True  # kept when the terminal is narrow


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list[object]] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)  # per row: "grade0".."grade3", "below", "missing", "na", ""
    cell_marks: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> mark
    notes: list[str] = field(default_factory=list)

    def add(self, row: list[object], mark: str = "") -> None:
        self.rows.append(row)
        self.marks.append(mark)

    def records(self) -> list[dict[str, object]]:
        """The rows as JSON objects keyed by column key (raw values, full precision)."""
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def texts(self) -> list[list[str]]:
        """The rows as people read them: every value formatted by its column's kind."""
        return [[show(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]


@dataclass
class Text:
    """A block of lines (a summary, a list, a verdict)."""

    name: str
    lines: list[str]
    title: str = ""


@dataclass
class Chart:
    """Bars to draw: one per label; `full`, when given, is each bar's maximum (a profile)."""

    name: str
    title: str
    labels: list[str]
    values: list[float | None]
    full: list[float] | None = None

    def records(self) -> list[dict[str, object]]:
        fulls: list[float | None] = list(self.full) if self.full else [None] * len(self.labels)
        return [{"label": label, "value": value, "full": full}
                for label, value, full in zip(self.labels, self.values, fulls, strict=True)]


Block = Table | Text | Chart


@dataclass
class Document:
    name: str
    title: str
    meta: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    data: dict[str, object] = field(default_factory=dict)  # extra JSON fields (unit, score…)
    messages: list[str] = field(default_factory=list)  # for stderr: warnings a person should see

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables() if t.name == name), None)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"title": self.title, **self.data}
        for block in self.blocks:
            out[block.name] = block.lines if isinstance(block, Text) else block.records()
        return out


# ---------------------------------------------------------------- showing values

# Published Chinese takes full-width punctuation (GB/T 15834); values keep theirs.
_FULL_WIDTH = str.maketrans({",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "(": "\uff08", ")": "\uff09",
                             "!": "\uff01", "?": "\uff1f"})


def zh(template: str, /, **values: object) -> str:
    """`template.format(**values)` with the template's own punctuation made full-width.

    Only the literal text of the template is converted: the values (unit names, 加减分
    items typed by people, numbers such as 1,840) are inserted exactly as they are.
    """
    out = []
    for literal, name, spec, conversion in Formatter().parse(template):
        out.append(literal.translate(_FULL_WIDTH))
        if name is not None:
            value = values[name]
            if conversion == "r":
                value = repr(value)
            elif conversion == "s":
                value = str(value)
            out.append(format(value, spec or ""))
    return "".join(out)


def full_width(text: str) -> str:
    """A whole generated sentence in published punctuation (one that holds no typed-in text)."""
    return text.translate(_FULL_WIDTH)


def plain(template: str, /, **values: object) -> str:
    """`template.format(**values)`: the working views keep ASCII punctuation, as a terminal shows it."""
    return template.format(**values)


Say = Callable[..., str]


def show(value: object, kind: Kind = "text") -> str:
    """A value as a person reads it; the one formatting rule every text writer uses."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind == "score":
            return f"{value:.2f}"
        if kind == "percent":
            return f"{value * 100:.1f}%"
        if kind == "int":
            return str(int(value))
        if isinstance(value, float):
            # targets, actuals and gaps as typed (1.375 stays 1.375); 6 places hide float noise
            text = f"{value:.6f}".rstrip("0").rstrip(".")
            return "0" if text == "-0" else text
    return str(value)


def target_text(value: object) -> str:
    """A target as the seed prints it (24.0 stays 24.0; 完成省下达目标任务 stays text)."""
    return repr(value) if isinstance(value, float) and value.is_integer() else show(value, "value")


def width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def period_label(period: str) -> str:
    return f"{period} 季度督查" if "Q" in period else f"{period} 年度考核"


def flags(a: Assessment, r: RankedResult) -> str:
    """Marks beside the grade: 未报送, 暂定 (in a quarter; at year end the grade column says it), 否决, 并列."""
    marks = ["未报送"] if isinstance(r, UnitResult) and r.unreported else []
    marks += ["暂定"] if r.provisional and a.quarterly else []
    marks += ["否决"] if r.vetoed else []
    marks += ["并列"] if "名次并列" in r.tie_break else (["同分按排序项"] if r.tie_break else [])
    return "、".join(marks)


PROVISIONAL_PROGRESS = "暂定(缺数据)"


def shown_grade(a: Assessment, r: RankedResult) -> str:
    """What the 等次 column says: the grade; 暂定 while data are missing (SPEC §4.6); the progress in a quarter,
    where a unit behind only while its data are missing is 暂定, not 落后进度 (more data can only raise it)."""
    if a.quarterly:
        if r.provisional and r.progress == "落后进度":
            return PROVISIONAL_PROGRESS
        return r.progress or ""
    return "暂定" if r.provisional else r.grade


def grade_mark(a: Assessment, r: RankedResult) -> str:
    if a.quarterly:
        if r.provisional and r.progress == "落后进度":
            return "provisional"
        return "grade0" if r.progress == "达到进度" else ("grade3" if r.progress == "落后进度" else "")
    if r.provisional:
        return "provisional"  # not coloured as a grade it may not keep
    names = [g.name for g in a.method.params.grades]
    return f"grade{min(names.index(r.grade), 3)}" if r.grade in names else "grade3"


def status_mark(status: str) -> str:
    return {"below": "below", "missing": "missing", "not_applicable": "na", "pending": "na"}.get(status, "")


# ---------------------------------------------------------------- provenance


def provenance(a: Assessment) -> list[str]:
    """Where every number came from: plan, input, method (SPEC §4: say which method)."""
    lines = [
        f"计划:{a.plan.title}({a.plan.doc_number or a.plan.id}),文件 {a.plan.path or '内置'},"
        f"sha256 {a.plan.sha256}",
        *[f"输入:{f.path},sha256 {f.sha256}" for f in a.input.files],
        f"期别:{a.input.period}",
        f"评分方法:{a.method.label}",
        *[f"方法调整:{c}" for c in a.method.changes],
        *a.method.notes,
    ]
    return lines


def method_line(a: Assessment) -> str:
    return f"评分方法:{a.method.label};计划文件 {a.plan.path or '内置'}(sha256 {a.plan.sha256[:16]}…)"


def heading(a: Assessment) -> str:
    return f"{a.plan.title} {period_label(a.input.period)}" + ("(暂定结果)" if a.provisional else "")


# ---------------------------------------------------------------- ranks


def _grade_column(a: Assessment) -> Column:
    return Column("progress", "进度") if a.quarterly else Column("grade", "等次")


def district_ranks(a: Assessment, *, published: bool = False) -> Table:
    """县区排名: total = 基本分 + 超额分 + 加分 − 扣分; the categories add up to 基本分."""
    cats = a.categories
    columns = [
        Column("rank", "排名", "int"), Column("name", "县区"), Column("score", "总分", "score"),
        Column("base", "基本分", "score", narrow=False), Column("over", "超额分", "score", narrow=False),
        *[Column(f"category:{c.name}", f"{c.name}({n(c.full)})", "score", narrow=False) for c in cats],
        Column("bonus", "加分", "score", narrow=False), Column("deductions", "扣分", "score", narrow=False),
        _grade_column(a), Column("flags", "标记"),
    ]
    t = Table("district_ranks", "县区排名" + ("(季度进度,不评等次)" if a.quarterly else ""), columns)
    for d in a.districts:
        cat_scores = [d.categories[c.name].score if c.name in d.categories else None for c in cats]
        t.add([d.rank, d.name, d.score, d.base, d.over, *cat_scores, d.bonus, d.deductions, shown_grade(a, d),
               flags(a, d)], grade_mark(a, d))
    t.notes += ranking_notes(a.districts, zh if published else plain)
    t.notes += [full_width(note) if published else note for note in quota_notes(a) if "名额已由" in note]
    t.notes += [full_width(note) if published else note for note in category_notes(a)]
    return t


def category_notes(a: Assessment) -> list[str]:
    """Why a district's category may exceed the full points in the header (it is not assessed on a row, the
    others are scaled up to 100), and why the categories may miss 基本分 by 0.01 (each is rounded)."""
    out = []
    points = sum(c.full for c in a.categories) or 100.0
    nominal = {c.name: 100.0 * c.full / points for c in a.categories}  # the header's full points, out of 100
    scaled = [d for d in a.districts
              if any(abs(c.full - nominal.get(name, c.full)) > 1e-9 for name, c in d.categories.items())]
    for d in scaled:  # only these build their indicator rows: a plain ranking never needs them
        fulls = {name: c.full for name, c in d.categories.items()}
        rows = [f"第{x.id}项" for x in d.indicators if x.status == "not_applicable"]  # the city-only rows are not
        # among a district's rows at all
        shown = "、".join(f"{name}{n(round(full, 2))}" for name, full in fulls.items())
        out.append(f"{d.name}不考核{'、'.join(rows) or '部分指标'},其余指标按比例折算到100分,"
                   f"各栏目满分相应为:{shown}")
    if any(abs(sum(round(c.score, 2) for c in d.categories.values()) - round(d.base, 2)) > 1e-6
           for d in a.districts):
        out.append("各栏目得分分别四舍五入到2位小数,相加可能与基本分相差0.01")
    return out


def item_label(ind_id: str) -> str:
    """第12项 for a row of 附件1; a city target by its id (C02)."""
    return f"第{ind_id}项" if ind_id.isdigit() else ind_id


MISSING_NAMED = 5  # how many missing rows a sentence names before it says 等N项


def missing_text(r: RankedResult) -> str:
    """What a provisional unit lacks, in words: 缺第2项「规上工业利税增幅」数据、尚未评价; 未报送 for a
    district no workbook holds a single value of."""
    if isinstance(r, UnitResult) and r.unreported:
        return "未报送数据"
    rows = [f"{item_label(x.id)}「{x.name}」" for x in r.indicators if x.status == "missing"]
    if len(rows) > MISSING_NAMED:  # a long list buries the sentence; gaps and 缺数据与警告 list them all
        rows = [*rows[:MISSING_NAMED - 1], f"等{len(rows)}项"]
    parts = [f"缺{'、'.join(rows)}数据"] if rows else []
    if isinstance(r, DepartmentResult) and r.rating is None:
        parts.append("尚未评价")
    return "、".join(parts) or f"缺 {len(r.missing)} 项数据"


def tie_notes(results: Sequence[RankedResult], say: Say = plain) -> list[str]:
    """Where equal published totals were ordered by the tie-break, and where they share a rank."""
    out = []
    shared: dict[tuple[str, int | None], list[RankedResult]] = {}
    for r in results:
        if "名次并列" in r.tie_break:
            shared.setdefault((getattr(r, "group", ""), r.rank), []).append(r)
    for (_, rank), group in shared.items():
        out.append(say("{names}总分同为{total:.2f}分,名次并列第{rank}", names="、".join(r.name for r in group),
                       total=group[0].score, rank=rank))
    for r in results:
        decided = [part for part in r.tie_break.split(";") if part and "名次并列" not in part]
        if decided:
            out.append(say("{name}:{why}", name=r.name, why=";".join(decided)))
    return out


def quota_notes(a: Assessment, group: DepartmentGroupKey | None = None, *, exceeded_only: bool = False) -> list[str]:
    """What the 优秀 quota did in one ranking (the districts, or a department group): units at the grade's
    mark given the next grade because the places were taken, and ties that straddled the quota
    (`exceeded_only`: just those)."""
    names = {k: g.name for k, g in a.method.params.departments.groups.items()}
    out = []
    for note in a.notes:
        if "超出名额" not in note and (exceeded_only or "名额已由排名在前的单位占满" not in note):
            continue
        prefix = next((k for k, name in names.items() if note.startswith(f"{name}:")), None)
        if prefix == group:
            out.append(note if group is None else note.removeprefix(f"{names[group]}:"))
    return out


def ranking_notes(results: Sequence[RankedResult], say: Say = plain) -> list[str]:
    """Why an order or a grade is what it is: ties decided or shared, 否决, ranges of provisional totals.

    `say` formats each sentence: `plain` for the working views, `zh` (full-width punctuation) to publish.
    """
    out = tie_notes(results, say)
    for r in results:
        if r.vetoed:
            out.append(say("{name}:不得评为优秀(否决):{why}", name=r.name, why="、".join(r.veto_reasons)))
        if r.provisional:
            lo, hi = r.score_range
            out.append(say("{name}:{missing},等次暂定;数据补齐后总分可能在{lo:.2f}至{hi:.2f}分之间。",
                           name=r.name, missing=missing_text(r), lo=lo, hi=hi))
    return out


def department_groups(a: Assessment) -> list[tuple[DepartmentGroupKey, str, list[DepartmentResult]]]:
    """(group key, title, members) in the order of SPEC §4.8, each ranked and graded on its own."""
    groups = a.method.params.departments.groups
    out = []
    for key, g in groups.items():
        members = [d for d in a.departments if d.group == key]
        if members:
            how = (f"指标 {n(g.indicator_weight)} 分 + 评价 {n(g.rating_weight)} 分" if g.indicator_weight
                   else f"评价 {n(g.rating_weight)} 分")
            out.append((key, f"部门排名 · {g.name}({how})", members))
    return out


def department_ranks(a: Assessment, *, published: bool = False) -> list[Table]:
    """One ranked table per department group."""
    tables = []
    for key, title, members in department_groups(a):
        columns = [
            Column("rank", "排名", "int"), Column("name", "部门"), Column("score", "总分", "score"),
            Column("indicator_part", "指标得分", "score", narrow=key != "service"),
            Column("rating_part", "评价得分", "score"), Column("rating", "评价", "value"),
            Column("bonus", "加分", "score", narrow=False), Column("deductions", "扣分", "score", narrow=False),
            _grade_column(a), Column("flags", "标记"),
        ]
        t = Table(f"department_ranks:{key}", title, columns)
        for d in members:
            t.add([d.rank, d.name, d.score, d.indicator_part, d.rating_part, d.rating, d.bonus, d.deductions,
                   shown_grade(a, d), flags(a, d)], grade_mark(a, d))
        t.notes += ranking_notes(members, zh if published else plain)
        t.notes += [full_width(note) if published else note for note in quota_notes(a, key) if "名额已由" in note]
        tables.append(t)
    return tables


# ---------------------------------------------------------------- one unit's indicators


def _detail_columns(with_role: bool) -> list[Column]:
    return [
        *([Column("role", "角色")] if with_role else []),
        Column("id", "序号"), Column("name", "主要指标"), Column("unit", "计量单位", narrow=False),
        Column("target", "目标", "value"), Column("actual", "实绩", "value"),
        Column("completion", "完成率", "percent", narrow=False), Column("score_rate", "得分率", "percent"),
        Column("points", "分值", "value", narrow=False), Column("base", "基本分", "score", narrow=False),
        Column("over", "超额分", "score", narrow=False), Column("status", "状态"),
        Column("source", "来源", narrow=False),
    ]


def _detail_row(r: IndicatorResult, with_role: bool) -> list[object]:
    counted = r.status in ("met", "below", "missing")
    return [*([ROLE_TEXT[r.role]] if with_role else []), r.id, r.name, r.unit, r.target, r.actual,
            r.completion, r.score_rate, r.points, r.base if counted else None, r.over if counted else None,
            STATUS_TEXT[r.status], r.source]


def indicator_detail(name: str, title: str, results: Sequence[IndicatorResult], *, with_role: bool = False
                     ) -> Table:
    t = Table(f"detail:{name}", title, _detail_columns(with_role))
    for r in results:
        t.add(_detail_row(r, with_role), status_mark(r.status))
    return t


def unit_detail(r: RankedResult | CityResult) -> Table:
    with_role = isinstance(r, DepartmentResult)
    rows = r.indicators + (r.city_targets if isinstance(r, CityResult) else [])
    return indicator_detail(r.name, f"{r.name} 指标明细", rows, with_role=with_role)


# ---------------------------------------------------------------- the city


def city_summary(a: Assessment) -> Text:
    c = a.city
    met = sum(1 for r in c.city_targets if r.status == "met")
    missing = sum(1 for r in c.city_targets if r.status == "missing")
    cats = ",".join(f"{k} {v.score:.2f}" for k, v in c.categories.items())
    return Text("city_summary", [
        f"附件1得分 {c.score:.2f}{'(暂定)' if c.provisional else ''};{cats}",
        f"全市其他目标 {len(c.city_targets)} 项:达标 {met} 项,未达标 {len(c.city_targets) - met - missing} 项,"
        f"缺数据 {missing} 项",
    ], title="全市进展(不参与排名)")


def city_targets(a: Assessment) -> Table:
    t = Table("city_targets", "全市其他量化目标", [
        Column("id", "编号"), Column("name", "目标"), Column("unit", "计量单位", narrow=False),
        Column("target", "目标值", "value"), Column("actual", "实绩", "value"),
        Column("completion", "完成率", "percent"), Column("status", "状态"),
    ])
    for r in a.city.city_targets:
        t.add([r.id, r.name, r.unit, r.target, r.actual, r.completion, STATUS_TEXT[r.status]], status_mark(r.status))
    return t


# ---------------------------------------------------------------- gaps


def shortfalls(r: RankedResult | CityResult, *, name: str = "shortfalls") -> Table:
    """Every row the unit is behind on, most points lost first."""
    rows = r.indicators + (r.city_targets if isinstance(r, CityResult) else [])
    below = sorted((x for x in rows if x.status == "below"), key=lambda x: (-x.lost, _id_order(x.id)))
    t = Table(name, f"未达标 {len(below)} 项(按失分从多到少)", [
        Column("id", "序号"), Column("name", "主要指标"), Column("target", "目标", "value"),
        Column("actual", "实绩", "value"), Column("gap", "差距", "value"),
        Column("gap_unit", "差距单位", narrow=False), Column("completion", "完成率", "percent", narrow=False),
        Column("score_rate", "得分率", "percent"), Column("lost", "失分", "score"),
    ])
    for x in below:
        gap: object = x.gap if x.gap is not None else (f"{x.actual} → 完成" if isinstance(x.actual, str) else None)
        t.add([x.id, x.name, x.target, x.actual, gap, x.gap_unit, x.completion, x.score_rate, x.lost], "below")
    if not below:
        t.notes.append("没有未达标的指标。")
    return t


def _id_order(ind_id: str) -> tuple[int, int]:
    """附件1 rows (1…34) before city targets (C01…), each in number order."""
    digits = "".join(ch for ch in ind_id if ch.isdigit())
    return (0 if ind_id.isdigit() else 1, int(digits) if digits else 0)


def _names(items: Sequence[IndicatorResult], *, where: bool = False) -> str:
    return "、".join(f"{r.id} {r.name}" + (f"({r.source or '未填报'})" if where else "") for r in items) or "无"


def standing_lines(a: Assessment, r: RankedResult | CityResult) -> list[str]:
    """Where the unit stands and why: its total in parts, its rank among whom, its grade (or progress) and
    every decision behind them: a tie-break, 否决, the 优秀 quota, 未报送, a provisional range."""
    if isinstance(r, CityResult):
        return [f"全市附件1得分 {r.score:.2f}(基本分 {r.base:.2f} + 超额分 {r.over:.2f}),不参与排名"]
    if isinstance(r, DepartmentResult):
        group = a.method.params.departments.groups[r.group].name
        peers = [d for d in a.departments if d.group == r.group]
        among = f"{group}共{len(peers)}个部门"
        parts = (f"指标得分 {r.indicator_part:.2f} + 评价得分 {r.rating_part:.2f}"
                 if r.indicator_part is not None and r.rating_part is not None else f"基本分 {r.base:.2f}")
    else:
        among = f"共{len(a.districts)}个县区"
        parts = f"基本分 {r.base:.2f} + 超额分 {r.over:.2f}"
    parts += f" + 加分 {r.bonus:.2f} − 扣分 {r.deductions:.2f}"
    place = f"第{r.rank}名({among})" if r.rank is not None else f"不排名({among})"
    lines = [f"总分 {r.score:.2f}({parts}),{place}," + (
        f"进度:{shown_grade(a, r) or '—'}" if a.quarterly else f"等次:{shown_grade(a, r)}")]
    if r.tie_break:
        lines.append(f"排序:{r.tie_break}")
    if r.vetoed:
        lines.append(f"否决:{'、'.join(r.veto_reasons)}")
    if r.grade_reason and not a.quarterly:
        lines.append(f"等次说明:{r.grade_reason}")
    if r.provisional:
        lo, hi = r.score_range
        lines.append(f"暂定:{missing_text(r)};数据补齐后总分可能在 {lo:.2f} 至 {hi:.2f} 分之间")
    return lines


def gaps_document(a: Assessment, r: RankedResult | CityResult, kind: str) -> Document:
    rows = r.indicators + (r.city_targets if isinstance(r, CityResult) else [])
    by = {s: [x for x in rows if x.status == s] for s in STATUS_TEXT}
    lists = [f"已达标 {len(by['met'])} 项:{_names(by['met'])}",
             f"缺数据 {len(by['missing'])} 项:{_names(by['missing'], where=True)}"]
    if by["pending"]:
        lists.append(f"待年底评定 {len(by['pending'])} 项:{_names(by['pending'])}")
    lists.append(f"不考核 {len(by['not_applicable'])} 项:{_names(by['not_applicable'])}")
    doc = Document(
        "gaps", f"{r.name} 与目标的差距({period_label(a.input.period)})",
        meta=[f"输入:{a.input.names};当前总分 {r.score:.2f}" + ("(暂定)" if r.provisional else "")],
        blocks=[Text("standing", standing_lines(a, r), title="总分与等次"), shortfalls(r), Text("lists", lists)],
        data={"unit": r.name, "kind": kind, "score": r.score, "score_exact": r.score_exact,
              "period": a.input.period, "input": a.input.model_dump(mode="json"),
              **{s: [x.id for x in by[s]] for s in ("met", "missing", "not_applicable", "pending")}},
    )
    return doc


# ---------------------------------------------------------------- explain


def _contribution_steps(r: RankedResult | CityResult, x: IndicatorResult) -> list[str]:
    """How the row's points become points of the unit's total (SPEC §4.3, §4.8)."""
    if isinstance(r, CityResult) and x in r.city_targets:
        return ["全市其他目标只报告进展,不计入全市得分"]
    counted = [i for i in r.indicators if i.status in ("met", "below", "missing")]
    share = f",占总分 {show(x.contribution / r.score_exact, 'percent')}" if r.score_exact else ""
    if isinstance(r, DepartmentResult):
        weights = sum(i.weight for i in counted)
        full = r.scale * weights
        return [f"计入指标得分:{n(full)} × 权重 {n(x.weight)} × 得分率 {n(x.base / x.points)} ÷ 权重合计 {n(weights)}"
                f" = {x.contribution:.4f} 分{share};超额部分不计入部门得分"]
    points = sum(i.points for i in counted)
    raw_over = sum(i.over for i in counted) * r.scale
    steps = [f"计入总分:基本分 {n(x.base)} × 100 ÷ 计分指标分值合计 {n(points)} = {x.base * r.scale:.4f} 分"]
    if x.over:
        capped = (f"(超额加分合计 {raw_over:.2f} 分超过封顶 {r.over:.2f} 分,按比例折算)"
                  if raw_over > r.over + 1e-9 else "")
        steps.append(f"超额分 {n(x.over)} × 100 ÷ {n(points)} 计入超额加分{capped}:"
                     f"{x.contribution - x.base * r.scale:.4f} 分")
    steps.append(f"该项计入总分合计 {x.contribution:.4f} 分{share}")
    return steps


def explain_document(a: Assessment, r: RankedResult | CityResult, x: IndicatorResult) -> Document:
    """Rule, parameters, inputs with their cells, each step, the result and its share of the total."""
    spec = a.rules.get(x.id)
    steps: list[str] = []
    counted = x.status in ("met", "below", "missing")
    if spec is not None:
        rule = make_rule(spec.kind, spec.params)
        steps.append(f"规则:{RULE_NAMES[spec.kind]}。{rule.summary()}")
    if x.status == "not_applicable":
        steps.append(f"{r.name} 不考核此项(附件1中为「{target_text(x.annual_target) or '空白'}」)")
    elif x.status == "pending":
        steps.append(f"{a.input.period} 季度督查不评定此项,待年底评定")
    else:
        if x.target != x.annual_target and isinstance(x.annual_target, int | float):
            quarter = a.input.period[-1]
            steps.append(f"时间进度:全年目标 {n(float(x.annual_target))} × {quarter}/4 = {show(x.target, 'value')}")
        unit = "" if x.rule == "qualitative" else x.unit
        target = f"「{x.target}」" if x.rule == "qualitative" else f"{show(x.target, 'value')}{unit}"
        weight = f";{ROLE_TEXT[x.role]}指标,按 {n(x.weight)} 倍计入" if x.role == "support" else ""
        steps.append(f"目标 {target},分值 {n(x.points)}{weight}")
        if x.actual is None:
            steps.append(f"实绩空缺({x.source or '未填报'}),暂按 0 分计,结果为暂定")
        else:
            decline = ";下降率:实绩为下降幅度,上升记为负数" if spec is not None and spec.decline else ""
            steps.append(f"实绩 {show(x.actual, 'value')}{unit}(来源 {x.source or '输入'}){decline}")
            if spec is not None and x.target is not None:
                steps += make_rule(spec.kind, spec.params).describe(x.actual, x.target, x.points)
    if counted:
        steps.append(f"得分率 = 基本分 {n(x.base)} ÷ 分值 {n(x.points)} = {show(x.score_rate, 'percent')}")
        steps += _contribution_steps(r, x)
    t = Table("steps", "计算步骤", [Column("step", "步骤", "int"), Column("text", "说明")])
    for i, step in enumerate(steps, 1):
        t.add([i, step])
    result = (f"结果:基本分 {x.base:.2f} + 超额分 {x.over:.2f} = {x.score:.2f}(分值 {n(x.points)}),"
              f"状态:{STATUS_TEXT[x.status]}")
    return Document(
        "explain", f"{r.name} · 第{x.id}项「{x.name}」({period_label(a.input.period)})",
        meta=[f"输入:{a.input.names}"],
        blocks=[t, Text("result", [result, *standing_lines(a, r), method_line(a)])],
        data={"unit": r.name, "scale": r.scale, "indicator": x.model_dump(mode="json"),
              "rule": spec.model_dump(mode="json") if spec is not None else None,
              "contribution": x.contribution},
    )


# ---------------------------------------------------------------- notes, warnings, adjustments


def department_ranking(a: Assessment) -> Table:
    """All department groups in one table (a sheet of the xlsx report), each group ranked on its own."""
    tables = department_ranks(a)
    if not tables:
        return Table("department_ranks", "部门排名", [])
    combined = Table("department_ranks", "部门排名(按组别分别排名、评定等次)",
                     [Column("group", "组别"), *tables[0].columns])
    for (_, _, members), t in zip(department_groups(a), tables, strict=True):
        group = a.method.params.departments.groups[members[0].group].name
        for row, mark in zip(t.rows, t.marks, strict=True):
            combined.add([group, *row], mark)
        combined.notes += t.notes
    return combined


def issues(a: Assessment) -> Table:
    """缺数据与警告: missing cells, 数据审核 warnings, notes and every 加减分 item."""
    t = Table("issues", "缺数据与警告", [
        Column("type", "类型"), Column("subject", "对象"), Column("text", "内容"),
        Column("points", "分值", "value"), Column("basis", "依据"), Column("where", "位置"),
    ])
    units: list[RankedResult | CityResult] = [*a.districts, *a.departments, a.city]
    for u in units:
        for item in u.missing:
            t.add(["缺数据", u.name, item, None, None, None], "missing")
    for w in a.warnings:
        t.add(["警告", None, w.message, None, None, f"{w.file} {w.cell}".strip()], "missing")
    for note in a.notes:
        t.add(["说明", None, note, None, None, None])
    for r in [*a.districts, *a.departments]:
        for x in r.adjustments:
            t.add(["加分" if x.points > 0 else "扣分", x.subject, x.item, x.points, x.basis, x.where])
    if not t.rows:
        t.add(["—", None, "没有缺数据、警告或加减分事项", None, None, None])
    return t


def adjustment_lines(r: RankedResult) -> list[str]:
    return [f"{'加分' if x.points > 0 else '扣分'} {x.points:+g}:{x.item}" + (f"(依据:{x.basis})" if x.basis else "")
            for x in r.adjustments]


# ---------------------------------------------------------------- whole documents


def score_document(a: Assessment, *, by: str = "all", detail: bool = False) -> Document:
    """What `score` (and `show`) prints: ranks, optional details, the city, method and provisional notes."""
    blocks: list[Block] = []
    if by in ("district", "all"):
        blocks.append(district_ranks(a))
        if detail:
            blocks += [unit_detail(d) for d in a.districts]
    if by in ("department", "all"):
        blocks += department_ranks(a)
        if detail:
            blocks += [unit_detail(d) for d in a.departments if d.indicators]
    if by == "all":
        blocks += [city_summary(a), city_targets(a)]
        if detail:
            blocks.append(unit_detail(a.city))
    blocks.append(Text("notes", [method_line(a), *a.method.notes]))
    checked = (f"数据审核发现 {len(a.warnings)} 处警告(数值可以计分,但可能有误),请运行 hz-assess validate "
               f"{' '.join(f.path for f in a.input.files)} 逐条查看" if a.warnings else "")
    return Document("score", heading(a), meta=[f"输入:{a.input.names}"], blocks=blocks,
                    messages=[*a.notes, *([checked] if checked else [])])


def district_sections(a: Assessment) -> list[Block]:
    """Each district's shortfalls, missing cells and 加减分, for the briefing reports."""
    out: list[Block] = []
    for d in a.districts:
        head = f"{d.name}(总分 {d.score:.2f},第 {d.rank} 名,{d.grade}{',暂定' if d.provisional else ''})"
        t = shortfalls(d, name=f"shortfalls:{d.name}")
        t.title = f"{head}:{t.title}"
        out.append(t)
        lines = []
        missing = [x for x in d.indicators if x.status == "missing"]
        if missing:
            lo, hi = d.score_range
            lines.append(f"缺数据 {len(missing)} 项:{_names(missing, where=True)};补齐后总分可能在 {lo:.2f} 至 "
                         f"{hi:.2f} 之间。")
        lines += adjustment_lines(d)
        if lines:
            out.append(Text(f"notes:{d.name}", lines))
    return out


def total_chart(a: Assessment) -> Chart:
    """The ranked districts' totals (an unreported district has no total to draw, not a bar at 0)."""
    shown = [d for d in a.districts if not d.unreported]
    return Chart("total_chart", "县区总分", [d.name for d in shown], [d.score for d in shown])


def category_profiles(a: Assessment) -> list[Chart]:
    """Each reporting district's categories as a share of their full points."""
    return [Chart(f"profile:{d.name}", d.name, [c.name for c in a.categories],
                  [d.categories[c.name].score if c.name in d.categories else None for c in a.categories],
                  [d.categories[c.name].full if c.name in d.categories else c.full for c in a.categories])
            for d in a.districts if not d.unreported]


def report_document(a: Assessment) -> Document:
    """The briefing of md/html reports: provenance, ranks, city progress, shortfalls, warnings."""
    blocks: list[Block] = [district_ranks(a), total_chart(a), *category_profiles(a), *department_ranks(a),
                           city_summary(a), city_targets(a)]
    blocks += district_sections(a)
    if a.warnings or a.notes:
        blocks.append(Text("warnings", [*(w.message for w in a.warnings), *a.notes], title="注意"))
    blocks.append(Text("precision", ["得分保留全部精度计算,表中显示为两位小数。"]))
    return Document("report", heading(a), meta=provenance(a), blocks=blocks)


def matrix(a: Assessment) -> Table:
    """县区明细: indicator × district, each district's actual / target / score side by side."""
    columns = [Column("id", "序号"), Column("category", "栏目"), Column("name", "主要指标"),
               Column("unit", "计量单位"), Column("points", "分值", "value")]
    for d in a.districts:
        columns += [Column(f"{d.name}:actual", f"{d.name}·实绩", "value"),
                    Column(f"{d.name}:target", f"{d.name}·目标", "value"),
                    Column(f"{d.name}:score", f"{d.name}·得分", "score")]
    t = Table("matrix", "县区指标明细", columns)
    if not a.districts:
        return t
    per_unit = [d.indicators for d in a.districts]
    for i, first in enumerate(per_unit[0]):
        row: list[object] = [first.id, first.category, first.name, first.unit, first.points]
        for k, results in enumerate(per_unit):
            x = results[i]
            col = 5 + 3 * k
            if x.status == "not_applicable":
                row += ["—", "—", None]
                t.cell_marks.update({(len(t.rows), col + j): "na" for j in range(3)})
                continue
            actual: object = {"missing": "缺数据", "pending": "待评定"}.get(x.status, x.actual)
            target = x.target
            if isinstance(target, str):
                target = target.removeprefix("完成").removesuffix("目标任务")
            row += [actual, target, x.base + x.over]
            if x.status in ("below", "missing"):
                t.cell_marks[(len(t.rows), col)] = t.cell_marks[(len(t.rows), col + 2)] = x.status
        t.add(row)
    t.add(["", "", "总分(含加减分)", "", None, *[v for d in a.districts for v in (None, None, d.score)]], "total")
    t.notes.append("红色为未达标，黄色为缺数据（按0分计，结果暂定），灰色“—”为该县区不考核此项；定性指标的目标"
                   "“省下达”“市下达”即完成省（市）下达目标任务。")
    return t


def department_detail(a: Assessment) -> Table:
    t = Table("department_detail", "部门指标明细", [
        Column("department", "部门"), Column("rating", "评价", "value"), Column("total", "部门总分", "score"),
        *_detail_columns(True)])
    for d in a.departments:
        head: list[object] = [d.name, d.rating if d.rating is not None else "缺评价", d.score]
        if not d.indicators:
            blank: list[object] = [None] * len(_detail_columns(True))
            blank[2] = "(无牵头或配合指标,按评价计分)"
            t.add([*head, *blank])
            continue
        for i, x in enumerate(d.indicators):
            t.add([*(head if i == 0 else [None, None, None]), *_detail_row(x, True)], status_mark(x.status))
    return t


def city_detail(a: Assessment) -> Table:
    t = indicator_detail(a.city.name, "全市进展(不参与排名)", [*a.city.indicators, *a.city.city_targets])
    t.notes.append(city_summary(a).lines[0])
    return t


def about(a: Assessment, *, version: str, generated: str) -> Table:
    """说明: the report, plan and input hashes, the method and every parameter."""
    t = Table("about", "报告说明", [Column("item", "项目"), Column("value", "内容")])
    t.add(["报告", heading(a)])
    for line in provenance(a):
        key, _, value = line.partition(":")
        t.add([key, value])
    for key, value in (("计划编号", a.plan.id), ("计划 sha256", a.plan.sha256),
                       ("部门文件", a.plan.departments_path), ("部门文件 sha256", a.plan.departments_sha256),
                       ("是否默认方法", "是" if a.method.default else "否")):
        t.add([key, value])
    params: list[tuple[str, object]] = []
    flatten("scoring", a.method.params.model_dump(mode="json"), params)
    for name, setting in params:
        t.add([f"参数 {name}", setting])
    t.add(["工具版本", f"hz-assess {version}"])
    t.add(["生成时间", generated])
    t.add(["精度", "得分保留全部精度计算,总分按四舍五入保留两位小数公布;表中均为数值,不含公式"])
    return t


def flatten(prefix: str, value: object, out: list[tuple[str, object]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}.{k}", v, out)
    elif isinstance(value, list):
        items = [f"{v['name']} ≥ {v['min']:g}" if isinstance(v, dict) and {"name", "min"} <= set(v) else str(v)
                 for v in value]
        out.append((prefix, "、".join(items)))
    else:
        out.append((prefix, value))


def targets_document(doc: Mapping[str, Any], duties: dict[str, str], *, full_duty: bool,
                     show_departments: bool) -> Document:
    """`targets`: the plan document (SPEC §5's `targets --format json`) as tables."""
    plan = doc["plan"]
    units = [str(u) for u in doc["units"]]
    indicators = Table("indicators", "附件1 县区主要目标任务", [
        Column("id", "序号"), Column("category", "栏目", narrow=False), Column("name", "主要指标"),
        Column("unit", "单位", narrow=False), *[Column(f"target:{u}", u, "value") for u in units],
        Column("points", "分值", "value", narrow=False), Column("rule", "规则", narrow=False)])
    for i in doc["indicators"]:
        indicators.add([i["id"], i["category"], i["name"], i["unit"], *[i["cells"][u] for u in units], i["points"],
                        RULE_NAMES[i["rule"]]])
    blocks: list[Block] = [indicators]
    if doc["city_targets"]:
        cts = Table("city_targets", "全市其他量化目标(计划第二、三部分)", [
            Column("id", "编号"), Column("name", "目标"), Column("unit", "单位"), Column("target", "目标值", "value"),
            Column("rule", "规则", narrow=False), Column("source", "出处", narrow=False)])
        for c in doc["city_targets"]:
            cts.add([c["id"], c["name"], c["unit"], c["target"], RULE_NAMES[c["rule"]], c["source"]])
        blocks.append(cts)
    if show_departments:
        deps = Table("departments", "附件2 部门责任", [
            Column("id", "序号"), Column("name", "责任部门"), Column("leads", "牵头"), Column("supports", "配合"),
            Column("duty", "重点工作", narrow=False)])
        for d in doc["departments"]:
            duty = duties.get(d["name"], "")
            deps.add([d["id"], d["name"], "、".join(d["leads"]) or "—", "、".join(d["supports"]) or "—",
                      duty if full_duty or len(duty) <= 30 else duty[:30] + "…"])
        blocks.append(deps)
    return Document("targets", f"{plan['title']}({plan['doc_number']})", blocks=blocks)


def findings_table(findings: Sequence[Finding]) -> Table:
    """`check`: the plan's own inconsistencies."""
    t = Table("findings", "计划自身的检查结果", [Column("code", "代码"), Column("indicator", "指标"),
                                               Column("message", "说明")])
    for f in findings:
        t.add([f.code, f.indicator, f.message])
    return t


def find_unit(a: Assessment, name: str) -> RankedResult | CityResult | None:
    """A district, department or the city of the assessment by its canonical name."""
    if name == a.city.name:
        return a.city
    return a.district(name) or a.department(name)


def find_indicator(r: RankedResult | CityResult, typed: str) -> IndicatorResult | None:
    """An indicator or city target of a result by id as typed (full-width digits, leading zeros, case)."""
    key = indicator_key(typed)
    rows = r.indicators + (r.city_targets if isinstance(r, CityResult) else [])
    return next((x for x in rows if indicator_key(x.id) == key), None)


def indicator_key(text: str) -> str:
    key = unicodedata.normalize("NFKC", text).strip().upper()
    prefix = key.rstrip("0123456789")
    digits = key[len(prefix):]
    return prefix + (str(int(digits)) if digits else "")


UnitKind = Literal["district", "department", "city"]


def unit_kind(a: Assessment, r: RankedResult | CityResult) -> UnitKind:
    if isinstance(r, CityResult):
        return "city"
    return "district" if isinstance(r, UnitResult) else "department"


# ---------------------------------------------------------------- the ledger


def history_table(runs: Sequence[RunInfo], beijing: Callable[[str], str]) -> Table:
    t = Table("runs", "考核台账", [
        Column("id", "编号", "int"), Column("time", "时间(北京时间)"), Column("command", "命令"),
        Column("period", "期别"), Column("published", "定稿"), Column("inputs", "输入文件", narrow=False),
        Column("input_sha256", "输入 sha256", narrow=False), Column("plan_sha256", "计划 sha256", narrow=False),
        Column("version", "版本", narrow=False), Column("summary", "摘要")])
    for r in runs:
        t.add([r.id, beijing(r.time), r.command, r.period, r.publication_mark(), "\n".join(f.path for f in r.inputs),
               "\n".join(f.sha256[:16] for f in r.inputs), r.plan_sha256[:16], r.tool_version, r.summary])
    return t


def comparison_document(c: Comparison, beijing: Callable[[str], str]) -> Document:
    """`compare N M`: input cells that changed, then totals, ranks and grades that moved."""
    o, m = c.old, c.new
    t = Table("changes", "变化", [
        Column("kind", "类别"), Column("subject", "单位/部门"), Column("item", "项目"), Column("where", "单元格"),
        Column("old", f"第 {o.id} 号", "value"), Column("new", f"第 {m.id} 号", "value"), Column("change", "变化")])
    for ch in c.changes:
        shown = [("—" if v is None else (f"{v:.2f}" if ch.kind == "score" and isinstance(v, int | float) else v))
                 for v in (ch.old, ch.new)]
        t.add([CHANGE_KINDS[ch.kind], ch.subject, ch.item, ch.where, *shown, ch.change])
    same = [] if c.changes else [f"第 {o.id} 号和第 {m.id} 号记录的输入和结果没有差别"]
    return Document("compare", f"第 {o.id} 号记录 → 第 {m.id} 号记录的变化",
                    meta=[f"第 {r.id} 号记录:{r.period} 期,记录于 {beijing(r.time)}" for r in (o, m)],
                    blocks=[t], messages=[*c.notes, *same])


ON_TRACK_TEXT = {True: "达到进度", False: "落后于进度", None: "—"}


def trend_table(trend: Trend) -> Table:
    t = Table("indicators", f"{trend.unit} 指标走势({'、'.join(trend.periods)})", [
        Column("id", "序号"), Column("name", "指标"), Column("unit", "单位", narrow=False),
        Column("target", "全年目标", "value"), *[Column(f"value:{p}", p, "value") for p in trend.periods],
        Column("direction", "走势"), Column("on_track", "进度"), Column("as_of", "依据期别", narrow=False)])
    for line in trend.indicators:
        t.add([line.id, line.name, line.unit, line.target, *[line.values[p] for p in trend.periods],
               line.direction or "—", ON_TRACK_TEXT[line.on_track], line.as_of or "—"])
    return t


# ---------------------------------------------------------------- decision support (SPEC §8)

NEED_STATUS = {"needed": "能", "any": "不影响", "unreachable": "单项达不到"}


def goal_text(goal: Goal) -> str:
    return f"「{goal.grade}」" if goal.grade is not None else f"前 {goal.rank} 名"


def _figure(value: float | str | None, decimals: int) -> str | None:
    """A figure as the plan writes that row's targets: 487 亿元, 11.0%, 1.30%."""
    if value is None or isinstance(value, str):
        return value
    return f"{value:.{decimals}f}"


def _need_lines(r: NeedResult) -> list[str]:
    """The unit now, the goal, and the least total that reaches it, with the reason (band, quota, rank, veto)."""
    c, t = r.current, r.threshold
    lines = []
    if r.as_of is not None:
        rank = f"第 {r.as_of.rank} 名," if r.as_of.rank is not None else ""
        lines.append(f"截至 {r.period}:总分 {r.as_of.score:.2f},{rank}{r.as_of.grade};以下按当前进度"
                     f"推算到 {r.basis} 年底(全年)")
        lines.append(f"推算全年:总分 {c.score:.2f},第 {c.rank} 名,{c.grade}" + ("(有缺数据,按 0 分计)"
                                                                             if c.provisional else ""))
    else:
        lines.append(f"现状:总分 {c.score:.2f},第 {c.rank} 名({r.group} {t.units} 个单位),{c.grade}"
                     + ("(有缺数据,按 0 分计,结果暂定)" if c.provisional else ""))
    how = "默认目标:比现在高一个等次" if r.goal_is_default and not r.top else (
        "已是最高等次,目标为保持" if r.top else "")
    lines.append(f"目标:{goal_text(r.goal)}" + (f"({how})" if how else ""))
    if t.total is None:
        lines.append("任何总分都达不到目标" + (f":{'、'.join(t.barred)},不得评为{r.goal.grade}" if t.barred else ""))
    else:
        lines.append(f"须总分(四舍五入到 {r.precision} 位小数)至少 {t.total:.2f} 分" + (
            f",现差 {max(t.total - c.score, 0):.2f} 分" if not r.reached else ",已达到"))
        holders = "、".join(f"{name}({score:.2f})" for name, score, _ in t.holders)
        if r.goal.grade is not None and t.band is not None and t.total > t.band:
            quota = f"名额 {t.places} 个({t.units} 个单位)" if t.places is not None else ""
            lines.append(f"「{r.goal.grade}」分数线为 {t.band:g} 分,但{quota}已由{holders or '其他单位'}获得:"
                         f"达到 {t.band:g} 分还不够,须排到它们之前")
        elif r.goal.rank is not None and holders:
            lines.append(f"前 {r.goal.rank} 名现为:{holders}")
        if t.tied:
            lines.append(f"总分 {t.total:.2f} 时与{'、'.join(t.tied)}同分:按排序项(或名次并列、名额规则)计入后仍能达到")
    if r.reached:
        lines.append("已达到目标:下表为保持目标,各项最低需要的实绩")
    return lines


def _need_row(r: NeedResult, x: RowNeed) -> list[object]:
    change = None
    if isinstance(x.required, float) and isinstance(x.actual, int | float):
        change = x.required - float(x.actual)
    row: list[object] = [x.id, x.name, x.unit, target_text(x.target), x.actual, _figure(x.required, x.decimals),
                         change]
    if r.projected:
        row += [x.so_far, x.remaining]
    best = "评为最高等级也不够" if x.rule == "qualitative" else "该项满分加封顶的超额分也不够"
    note = {"any": "该项得分最低也能达到", "unreachable": best}.get(x.status, "")
    if x.assumed:
        note = _join_words(note, "尚未填报,按完成目标推算")
    return [*row, NEED_STATUS[x.status], note]


def _join_words(a: str, b: str) -> str:
    return f"{a};{b}" if a else b


def need_document(r: NeedResult, *, explain: bool = False) -> Document:
    """`need`: the goal and the total it takes; each indicator alone; the fewest rows brought to target;
    a department's rating; what the figures do not claim; with `explain`, how each figure was found."""
    unit_word = "全年推算" if r.projected else "实绩"
    columns = [Column("id", "序号"), Column("name", "主要指标"), Column("unit", "计量单位", narrow=False),
               Column("target", "全年目标" if r.projected else "目标", "value"), Column("actual", unit_word, "value"),
               Column("required", "需达到"), Column("change", "与实绩相差", "value", narrow=False)]
    if r.projected:
        columns += [Column("so_far", f"截至{r.period}", "value", narrow=False),
                    Column("remaining", "其余季度须完成", "value")]
    columns += [Column("reachable", "单项能否达到"), Column("note", "说明", narrow=False)]
    single = Table("per_indicator", "各项指标单独需要达到的实绩(其他指标不变)", columns)
    for x in r.per_indicator:
        single.add(_need_row(r, x), "na" if x.status == "unreachable" else "")
    if not r.per_indicator:
        single.notes.append("没有可测算的指标(只按评价计分)。")
    combo_columns = [Column("id", "序号"), Column("name", "主要指标"), Column("actual", unit_word, "value"),
                     Column("to", "补足到(目标)", "value"), Column("gain", "增加总分", "score")]
    if r.projected:
        combo_columns.append(Column("remaining", "其余季度须完成", "value"))
    combo = Table("combination", "最少需要补足到目标的指标", combo_columns)
    for lift in r.combination:
        combo.add([lift.id, lift.name, lift.actual, lift.to, lift.gain, *([lift.remaining] if r.projected else [])])
    department = r.kind == "department"
    if r.reached:
        combo.notes.append("目标已达到,不需要补足。")
    elif not r.per_indicator:
        combo.notes.append("只按评价计分,没有指标可补足。")
    elif not r.combination_reaches:
        rest = ("超额完成不计入部门得分,评价能否补上见“部门评价”" if department else
                "还需超额完成,见上表各项所需实绩")
        combo.notes.append(("所有指标都已达到目标" if not r.below_target else
                            "即使所有未达标(及缺数据)的指标都补足到目标也达不到") + f":{rest}。")
    else:
        how = ("逐一试算所有组合,取项数最少的组合(同样项数时取增分最多的)" if r.combination_search == "exact" else
               "按补足后增加的总分从多到少依次选取(同样项数时这样选总分最高,故项数最少)")
        combo.notes.append(f"共 {len(r.combination)} 项,已重算复核达到目标;{how}。")
    blocks: list[Block] = [Text("goal", _need_lines(r), title="目标"), single, combo]
    if r.rating is not None:
        g = r.rating
        if g.status == "unreachable":
            rating = "仅靠评价达不到:评价为 100 分(或最高等级)也不够"
        elif g.status == "any":
            rating = "评价不影响目标(评价为 0 分也能达到)"
        else:
            level = f"至少「{g.level}」," if g.level is not None else ""
            rating = f"{level}按 0–100 分评价须不低于 {g.score:g} 分(少 1 分达不到,已重算复核)"
        blocks.append(Text("rating", [f"现在的评价:{'未评价' if g.current is None else show(g.current, 'value')}",
                                      f"其他指标不变时,评价{rating}"], title="部门评价"))
    limits = [
        "其他单位的结果按现有数据保持不变;它们的实绩变了,所需数值也会变。",
        "每项数值都假定其他指标不变,各项不能相加;几项同时改进时,请看“最少需要补足到目标的指标”。",
        "每个数值都已重算复核:达到该值即达到目标,少 1%(且至少少一档)则达不到;数值按计划中该项目标的小数位数向上取整。",
    ]
    if r.kind == "department":
        limits.append("部门的指标按全市实绩计分;全市实绩变化时同一指标的其他部门也会变,测算中其他部门的结果保持不变。")
    if r.projected:
        limits.append(f"全年推算:累计类指标按当前进度推算(截至{r.period}实绩 × 4 ÷ 季度数),比率、水平类指标按当前值,"
                      "年底评定的指标(定性指标、第17、22项等)未填报的按完成目标计;其他单位同样推算。这是推算,不是预测。")
    blocks.append(Text("limits", limits, title="说明(本测算不表示什么)"))
    if explain:
        steps = Table("steps", "计算过程", [Column("id", "序号"), Column("step", "步骤", "int"),
                                           Column("text", "说明")])
        for x in r.per_indicator:
            for i, text in enumerate(x.steps, 1):
                steps.add([x.id, i, text])
        if r.rating is not None:
            for i, text in enumerate(r.rating.steps, 1):
                steps.add(["评价", i, text])
        blocks.append(steps)
    title = f"{r.unit}:达到{goal_text(r.goal)}需要什么({period_label(r.period)}" + (
        ",按全年推算)" if r.projected else ")")
    return Document("need", title, meta=[f"输入:{'、'.join(r.input_files) or '—'}"], blocks=blocks)


@dataclass
class IntervalChart(Chart):
    """Rank intervals: per unit (label) its rank under the method (value), the median and the 5–95% range."""

    median: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    ranks: int = 0  # the axis runs from rank 1 to this


def _design_lines(r: Robustness, *, full: bool) -> list[str]:
    lines = [f"情景 {r.scenarios} 个:每次去掉一项县区指标各 1 个({len(r.drops)} 个),加上随机抽样 {r.samples} 个"
             f"(随机种子 {r.seed},同样的种子得到同样的结果)。"]
    if not full:
        return lines
    rates = {"growth.bonus_per_point": "增幅类每超 1 个百分点的加分比例",
             "growth.penalty_per_point": "增幅类每低 1 个百分点的扣分比例",
             "completion.bonus_per_ratio": "完成率类每超 1 的加分比例"}
    lines += [
        "随机抽样:每项县区指标的分值 × [0.75, 1.25] 内的均匀随机数,再按比例调回合计 100 分;以下三个比例各 × [0.5, 1.5] "
        "内的均匀随机数:" + ";".join(f"{rates.get(k, k)}(现为 {n(v)})" for k, v in r.rates.items()) + "。",
        f"去掉一项指标的情景依次为第 {'、'.join(r.drops)} 项,其余按现行方法。",
        "不变的部分:实绩数据、目标、超额分封顶、完成率 50% 的界限、定性等级系数、等次分数线、名额、否决和加减分。",
        "每个情景都按现行规则排名、评定等次(含名额、排序项和否决);部门的指标部分按得分率计,分值不影响它。",
        "中位名次为全部情景名次的中位数;5%–95% 区间取第 5 和第 95 百分位(最近秩法)。",
        "次序不稳定的单位对:两单位的先后(或并列)与现行方法不同的情景超过 10%。",
        "判断:名次和等次都与现行方法相同的情景不少于 90% 为“排名稳定”,否则为“排名对方法敏感”。",
    ]
    return lines


def robustness_document(r: Robustness, *, explain: bool = False) -> Document:
    """`robustness`: per unit its rank, median, 5–95% interval, grade chances and verdict; the fragile
    pairs; a chart of the intervals (html); the design (in full with `explain`) and what it does not claim."""
    grade_word = "进度" if r.quarterly else "等次"
    units = Table("units", "名次区间和等次概率", [
        Column("group", "组别"), Column("rank", "现行名次", "int"), Column("name", "单位"),
        Column("median", "中位名次", "value"), Column("interval", "5%–95%名次"),
        *[Column(f"grade:{g}", f"{g}", "percent", narrow=False) for g in r.grades],
        Column("grade", f"现行{grade_word}"), Column("grade_kept", f"{grade_word}不变", "percent"),
        Column("rank_kept", "名次不变", "percent", narrow=False), Column("verdict", "判断")])
    for u in r.units:
        interval = f"{u.q05}" if u.q05 == u.q95 else f"{u.q05}–{u.q95}"
        units.add([u.group, u.rank, u.name, u.median, interval, *[u.grades.get(g, 0.0) for g in r.grades], u.grade,
                   u.grade_kept, u.rank_kept, u.verdict], "" if u.verdict == "排名稳定" else "missing")
    blocks: list[Block] = [units]
    for group in dict.fromkeys(u.group for u in r.units):
        members = [u for u in r.units if u.group == group]
        blocks.append(IntervalChart(
            f"intervals:{group}", f"{group}名次区间(点 = 现行名次,线 = 5%–95%,竖线 = 中位)",
            [u.name for u in members], [float(u.rank or 0) for u in members], median=[u.median for u in members],
            low=[float(u.q05) for u in members], high=[float(u.q95) for u in members], ranks=len(members)))
    pairs = Table("fragile_pairs", "次序不稳定的单位对(超过 10% 的情景先后不同)", [
        Column("group", "组别"), Column("a", "现行在前"), Column("b", "现行在后"),
        Column("flip_rate", "先后不同的情景", "percent")])
    for p in r.fragile_pairs:
        pairs.add([p.group, p.a, p.b, p.flip_rate])
    if not r.fragile_pairs:
        pairs.notes.append("没有:每一对单位的先后在 90% 以上的情景中都与现行方法相同。")
    blocks += [pairs, Text("design", _design_lines(r, full=explain), title="方法")]
    blocks.append(Text("limits", [
        "这里改变的是评分方法(分值、加扣分比例、去掉某项指标),不是数据:实绩数据本身的误差不在其中。",
        "概率是各种方法选择下的比例,不是对数据的统计置信度,也不说明哪种方法更好;现行方法仍是考核的依据。",
    ], title="说明(本分析不表示什么)"))
    return Document("robustness", f"排名稳健性分析({period_label(r.period)})",
                    meta=[f"输入:{'、'.join(r.input_files) or '—'}"], blocks=blocks)
