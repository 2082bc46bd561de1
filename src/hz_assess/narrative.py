"""The 通报 (a circular an office edits and issues) as data, and its narrative in plain official Chinese.

Pure: (Assessment, a moment) -> `Notice`. Every figure in a sentence comes from the
results or the views (ranks, totals, grades, targets, actuals, points lost, reachable
ranges); no number is written into a sentence by hand. Each fact is said once: the
sentences above a table say its ties, 否决 and quota, so the tables carry no notes, and a
provisional unit's missing indicators are named (a few, then counted) only under 暂定结果说明.
A quarter's notice speaks of progress (进度督查), never of 考核总分 or 等次. The Word
writer (export/docx.py) only lays a Notice out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import groupby

from hz_assess.models import Assessment, IndicatorResult, RankedResult
from hz_assess.rules import n
from hz_assess.views import Column, Table, show
from hz_assess.views_publish import (
    ON_TRACK,
    PENDING_PROGRESS,
    SUBJECT,
    Masthead,
    about_table,
    adjustment_sentences,
    beijing_time,
    commended,
    department_tables,
    district_table,
    group_name,
    group_title,
    item_name,
    kind_word,
    masthead,
    names,
    period_name,
    progress_text,
    provisional_sentences,
    quota_sentences,
    score_text,
    tie_sentences,
    top_grade,
    veto_sentences,
    zh,
)

ADDRESSEES = zh("各县区人民政府,湖州开发区管委会,市级有关部门:")  # with ISSUER, to move to the plan YAML
NUMERALS = "一二三四五六七八九十"
SHORTFALLS_PER_UNIT = 3  # the main shortfalls named per district; the rest are counted
NUMBER_BLANK = "\u3000\u3000"  # two ideographic spaces: a blank the office fills with the number


@dataclass
class Section:
    """A heading (level 1: 一、…, level 2: (一)…) and what follows it: paragraphs, tables, subsections."""

    heading: str
    blocks: list[str | Table | Section] = field(default_factory=list)
    level: int = 1


@dataclass
class Notice:
    masthead: Masthead
    title: str
    doc_number: str  # 〔2018〕  号: the year of the issue date; the office fills in its prefix and number
    addressees: str
    opening: str
    sections: list[Section]
    signature: list[str]  # issuer, date
    appendix_title: str
    appendix: list[str | Table]

    def paragraphs(self) -> list[str]:
        """Every sentence of the body in order (for tests and plain-text previews)."""
        out = [self.opening]

        def walk(blocks: Sequence[str | Table | Section]) -> None:
            for b in blocks:
                if isinstance(b, Section):
                    out.append(b.heading)
                    walk(b.blocks)
                elif isinstance(b, str):
                    out.append(b)

        walk(self.sections)
        return out

    def tables(self) -> list[Table]:
        out: list[Table] = []

        def walk(blocks: Sequence[str | Table | Section]) -> None:
            for b in blocks:
                if isinstance(b, Section):
                    walk(b.blocks)
                elif isinstance(b, Table):
                    out.append(b)

        walk(self.sections)
        return out


# ---------------------------------------------------------------- sentences
# Every sentence goes through `zh`: its own punctuation becomes full-width, the values
# (names, 加减分 items, figures) are inserted exactly as they are.


def ranking_sentence(a: Assessment, units: Sequence[RankedResult], noun: str) -> str:
    """6个县区考核总分由高到低依次为：第1名长兴县（103.00分）；第2名吴兴区、德清县（并列，均为99.85分）…
    In a quarter: 6个县区按时间进度计算的得分由高到低依次为…"""
    parts = []
    ranked = [u for u in units if u.rank is not None]
    for rank, group in groupby(ranked, key=lambda u: u.rank):
        tied = list(group)
        if len(tied) == 1:
            u = tied[0]
            detail = score_text(u) + (zh(",暂定") if u.provisional else "")
            parts.append(zh("第{rank}名{name}({detail})", rank=rank, name=u.name, detail=detail))
        else:
            pending = [u for u in tied if u.provisional]
            detail = zh("并列,均为{score}", score=score_text(tied[0]))
            if pending:
                detail += zh(";{names}暂定", names=names(pending))
            parts.append(zh("第{rank}名{names}({detail})", rank=rank, names=names(tied), detail=detail))
    total = "按时间进度计算的得分" if a.quarterly else "考核总分"
    text = zh("{count}个{noun}{total}由高到低依次为:{parts}。", count=len(ranked), noun=noun, total=total,
              parts=zh(";").join(parts)) if parts else ""
    unranked = [u for u in units if u.rank is None]
    silent = [u for u in unranked if getattr(u, "unreported", False)]
    if silent:
        text += zh("{names}未报送数据,暂不参与排名。", names=names(silent))
    others = [u for u in unranked if u not in silent]
    if others:
        text += zh("{names}不参与排名。", names=names(others))
    return text


def grade_sentence(a: Assessment, units: Sequence[RankedResult], noun: str) -> str:
    """按考核办法，评为优秀的有长兴县、吴兴区2个县区；评为良好的有…；南浔区因数据不全，等次暂定。"""
    parts = []
    for g in a.method.params.grades:
        holders = [u for u in units if u.grade == g.name and not u.provisional]
        if holders:
            parts.append(zh("评为{grade}的有{names}{count}个{noun}", grade=g.name, names=names(holders),
                            count=len(holders), noun=noun))
    silent = [u for u in units if getattr(u, "unreported", False)]
    pending = [u for u in units if u.provisional and u not in silent]
    if pending:
        parts.append(zh("{names}因数据不全,等次暂定", names=names(pending)))
    if silent:
        parts.append(zh("{names}未报送数据,等次暂定", names=names(silent)))
    return zh("按考核办法,{parts}。", parts=zh(";").join(parts)) if parts else ""


def progress_sentence(a: Assessment, units: Sequence[RankedResult], noun: str, *, preamble: bool = True) -> str:
    """A quarter reports progress (SPEC §4.7): who is on track, who is behind, and who has not sent enough
    data to tell — said as such, not counted as behind. `preamble`: say first what 达到进度 means."""
    parts = []
    shown = [(u, progress_text(a, u)) for u in units]
    for status in dict.fromkeys(p for _, p in shown if p and p != PENDING_PROGRESS):
        holders = [u for u, p in shown if p == status]
        parts.append(zh("{status}的有{names}{count}个{noun}", status=status, names=names(holders),
                        count=len(holders), noun=noun))
    pending = [u for u, p in shown if p == PENDING_PROGRESS]
    if pending:
        parts.append(zh("{names}{count}个{noun}数据尚未报齐,进度暂定", names=names(pending), count=len(pending),
                        noun=noun))
    if not parts:
        return ""
    head = zh("本季度为进度督查,基本分达到{line}分为{on};", line=n(a.method.params.progress_threshold),
              on=ON_TRACK) if preamble else ""
    return head + zh("{parts}。", parts=zh(";").join(parts))


def adjustments_sentence(units: Sequence[RankedResult]) -> str:
    """加分和扣分事项 of the units, from the data: 长兴县因“…”加3分；安吉县因“…”扣2分。"""
    items = [s.removesuffix("。") for s in adjustment_sentences(units)]
    return zh("加分和扣分事项:{items}。", items=zh(";").join(items)) if items else ""


def result_paragraphs(a: Assessment, units: Sequence[RankedResult], noun: str, *, list_ranks: bool) -> list[str]:
    out = [ranking_sentence(a, units, noun)] if list_ranks else []
    out.append(progress_sentence(a, units, noun, preamble=list_ranks) if a.quarterly
               else grade_sentence(a, units, noun))
    out += veto_sentences(a, units) + tie_sentences(a, units) + quota_sentences(a, units)
    out.append(adjustments_sentence(units))
    return [p for p in out if p]


def _value(x: IndicatorResult, value: object) -> str:
    unit = "" if x.rule == "qualitative" or x.unit in ("", "—") else x.unit
    return f"{show(value, 'value')}{unit}"


def shortfall_phrase(x: IndicatorResult, *, quarterly: bool = False) -> str:
    """第11项“…”目标1.38%，实绩1.104%，完成率80.0%，失分1.08分 (in a quarter: 进度目标)."""
    target = "进度目标" if quarterly and x.rule != "qualitative" else "目标"
    lost = zh("失分{lost:.2f}分", lost=x.lost)
    if x.rule == "qualitative":
        return zh("{head}目标为{target},评定为{actual},{lost}", head=item_name(x), target=x.target, actual=x.actual,
                  lost=lost)
    gap = ""
    if x.gap_unit == "个百分点" and x.gap is not None:
        gap = zh(",低于目标{gap}个百分点", gap=n(x.gap))
    elif x.completion is not None:
        gap = zh(",完成率{rate}", rate=show(x.completion, "percent"))
    return zh("{head}{word}{target},实绩{actual}{gap},{lost}", head=item_name(x), word=target,
              target=_value(x, x.target), actual=_value(x, x.actual), gap=gap, lost=lost)


def shortfall_paragraphs(a: Assessment, units: Sequence[RankedResult]) -> list[str]:
    """Each district's main shortfalls (most points lost first), and who met every target
    (its 加分 and 扣分 are said with the results)."""
    out, clean = [], []
    for u in units:
        below = sorted((x for x in u.indicators if x.status == "below"), key=lambda x: -x.lost)
        if not below:
            if not u.provisional:
                clean.append(u)
            continue
        parts = [shortfall_phrase(x, quarterly=a.quarterly) for x in below[:SHORTFALLS_PER_UNIT]]
        rest = len(below) - SHORTFALLS_PER_UNIT
        if rest > 0:
            parts.append(zh("另有{rest}项指标未达到目标", rest=rest))
        out.append(zh("{name}:{parts}。", name=u.name, parts=zh(";").join(parts)))
    if clean:
        out.append(zh("{names}各项指标均达到{target}。", names=names(clean),
                      target="进度目标" if a.quarterly else "目标"))
    return out


def commendation_paragraph(a: Assessment) -> str:
    """Who is commended, by kind: the districts, then each department group (ranked and graded on its own)."""
    t = commended(a)
    kinds: dict[str, list[str]] = {}
    for row in t.rows:
        kinds.setdefault(str(row[0]), []).append(str(row[1]))
    if not kinds:
        return zh("本期没有评为{grade}的单位。", grade=top_grade(a))
    parts = [f"{'、'.join(v)}{len(v)}个{k}" for k, v in kinds.items()]
    listed = parts[0] if len(parts) == 1 else zh(",").join(parts[:-1]) + "和" + parts[-1]
    return zh("经研究,决定对评为{grade}的{listed}予以通报表扬。", grade=top_grade(a), listed=listed)


def opening(a: Assessment, m: Masthead) -> str:
    doc = zh("({number})", number=a.plan.doc_number) if a.plan.doc_number else ""
    text = zh("根据《{title}》{doc}的要求,{issuer}对各县区和市级有关部门{period}工业强市建设工作进行了{kind}。",
              title=a.plan.title, doc=doc, issuer=m.issuer, period=period_name(a), kind=kind_word(a))
    if m.provisional:
        text += zh("因部分单位数据尚未报齐,本通报所列为暂定结果,数据补齐后重新计算。")
    return text + zh("现将{kind}结果通报如下:", kind=kind_word(a))


def method_paragraphs(a: Assessment) -> list[str]:
    """The appendix in words: basis, categories and full points, grades (or a quarter's progress line),
    departments, data and precision."""
    p = a.method.params
    kind = kind_word(a)
    doc = zh("({number})", number=a.plan.doc_number) if a.plan.doc_number else ""
    cats = "、".join(f"{c.name}{n(c.full)}分" for c in a.categories)
    out = [
        zh("{kind}依据。《{title}》{doc};评分方法为{label}。", kind=kind, title=a.plan.title, doc=doc,
           label=a.method.label),
        zh("县区{kind}。按附件1所列指标计分,满分100分:{cats};另有超额加分、加分(最多{bonus}分)和扣分"
           "(最多{deduction}分)。", kind=kind, cats=cats, bonus=n(p.bonus_cap), deduction=n(p.deduction_cap)),
    ]
    groups = "、".join(group_title(a, k) for k in p.departments.groups)
    if a.quarterly:
        quarter = a.input.period.partition("Q")[2]
        out.append(zh("进度。累计类指标按时间进度(全年目标×{q}/4)比较,比率、水平类指标按全年目标比较,定性指标和"
                      "年底一次性认定的指标待年底评定;基本分达到{line}分为达到进度,数据尚未报齐的单位进度暂定。",
                      q=quarter, line=n(p.progress_threshold)))
        out.append(zh("市级部门。分为{groups},各组分别排名。", groups=groups))
    else:
        bands = "、".join(f"{g.name}{n(g.min)}分以上" if g.min > 0 else f"{g.name}{n(p.grades[i - 1].min)}分以下"
                          for i, g in enumerate(p.grades))
        out.append(zh("等次。{bands}。", bands=bands))
        out.append(zh("市级部门。分为{groups},各组分别排名、评定等次。", groups=groups))
    out.append(zh("数据。各项实绩取自报送的实绩工作簿;缺报的指标暂按0分计算,结果标为暂定。{total}按四舍五入保留两位"
                  "小数公布,排名{grades}按公布的{total}确定。", total="得分" if a.quarterly else "总分",
                  grades="" if a.quarterly else "和等次"))
    if a.method.changes:
        out.append(zh("与默认评分方法的不同:{changes}。", changes=zh(";").join(a.method.changes)))
    return [f"{NUMERALS[i]}、{text}" for i, text in enumerate(out)]


# ---------------------------------------------------------------- tables for the page

MAIN_KEYS = ("rank", "name", "score", "base", "over", "bonus", "deductions", "grade", "progress", "flags")


def _columns(t: Table, name: str, title: str, keep: Sequence[str]) -> Table:
    index = [i for i, c in enumerate(t.columns) if c.key in keep]
    marks = {(r, index.index(c)): m for (r, c), m in t.cell_marks.items() if c in index}
    return replace(t, name=name, title=title, columns=[t.columns[i] for i in index],
                   rows=[[row[i] for i in index] for row in t.rows], marks=list(t.marks), cell_marks=marks, notes=[])


def district_tables(a: Assessment) -> list[Table]:
    """The district ranking as two tables a portrait page holds without breaking a name or a header: the
    result (total, its parts, grade) and the category scores, which add up to 基本分."""
    t = district_table(a)
    keys = [c.key for c in t.columns]
    cats = [k for k in keys if k.startswith("category:")]
    main = _columns(t, "district_ranks", t.title, [k for k in keys if k in MAIN_KEYS])
    if not cats:
        return [main]
    how = "按时间进度" if a.quarterly else "合计为基本分"
    parts = _columns(t, "district_categories", zh("县区分栏目得分({how})", how=how), ["rank", "name", *cats, "base"])
    parts.columns = [Column(c.key, c.title.translate(str.maketrans("()", "（）")), c.kind) for c in parts.columns]
    return [main, parts]


def _quiet(t: Table) -> Table:
    """A table under sentences that already say its ties, 否决 and quota: no notes."""
    return replace(t, notes=[])


def department_sections(a: Assessment) -> list[str | Table | Section]:
    """Each department group on its own (分类考核): its grades or progress, ties, 否决, quota, 加减分, its table."""
    tables = department_tables(a)
    out: list[str | Table | Section] = []
    for t in tables:
        key = t.name.partition(":")[2]
        members = [d for d in a.departments if d.group == key]
        noun = group_name(a, members[0])
        blocks: list[str | Table | Section] = [*result_paragraphs(a, members, noun, list_ranks=False), _quiet(t)]
        out.append(Section(group_title(a, key), blocks, level=2) if len(tables) > 1 else Section("", blocks))
    if len(out) == 1 and isinstance(out[0], Section) and not out[0].heading:
        return list(out[0].blocks)
    return out


def notice(a: Assessment, now: datetime, *, version: str) -> Notice:
    """The 通报 of an assessment: sections in the usual order, tables from the views."""
    m = masthead(a, now)
    kind = kind_word(a)
    title = f"关于{period_name(a)}{SUBJECT}{kind}{'暂定' if m.provisional else ''}结果的通报"
    sections: list[Section] = [
        Section(f"县区{kind}结果", [*result_paragraphs(a, a.districts, "县区", list_ranks=True),
                                  *district_tables(a)]),
    ]
    if a.departments:
        sections.append(Section(f"市级部门{kind}结果", department_sections(a)))
    if not a.quarterly:
        sections.append(Section("通报表扬", [commendation_paragraph(a), commended(a)]))
    shortfalls = shortfall_paragraphs(a, a.districts)
    if shortfalls:
        sections.append(Section("存在的主要问题", list(shortfalls)))
    pending = provisional_sentences(a, [*a.districts, *a.departments])
    if pending:
        sections.append(Section("暂定结果说明", list(pending)))
    for i, s in enumerate(sections):
        s.heading = f"{NUMERALS[i]}、{s.heading}"
        for j, sub in enumerate(b for b in s.blocks if isinstance(b, Section)):
            sub.heading = zh("({numeral}){heading}", numeral=NUMERALS[j], heading=sub.heading)
    return Notice(
        masthead=m, title=title, doc_number=f"〔{m.year}〕{NUMBER_BLANK}号", addressees=ADDRESSEES,
        opening=opening(a, m), sections=sections, signature=[m.issuer, m.date],
        appendix_title=f"{period_name(a)}{kind}方法与数据来源",
        appendix=[*method_paragraphs(a), about_table(a, version=version, generated=beijing_time(now))],
    )


__all__ = ["ADDRESSEES", "Notice", "Section", "adjustments_sentence", "commendation_paragraph", "district_tables",
           "grade_sentence", "notice", "opening", "progress_sentence", "ranking_sentence", "result_paragraphs",
           "shortfall_paragraphs", "shortfall_phrase"]
