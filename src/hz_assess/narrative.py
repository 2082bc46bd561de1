"""The 通报 (a circular an office edits and issues) as data, and its narrative in plain official Chinese.

Pure: (Assessment, a moment) -> `Notice`. Every figure in a sentence comes from the
results or the views (ranks, totals, grades, targets, actuals, points lost, reachable
ranges); no number is written into a sentence by hand. The Word writer
(export/docx.py) only lays a Notice out; an office's own template gets the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from hz_assess.models import Assessment, DepartmentResult, IndicatorResult, RankedResult
from hz_assess.rules import n
from hz_assess.views import Table, about, quota_notes, show, tie_notes
from hz_assess.views_publish import (
    SUBJECT,
    Masthead,
    beijing_time,
    commended,
    department_tables,
    district_table,
    masthead,
    missing_text,
    period_name,
    top_grade,
    zh,
)

ADDRESSEES = zh("各县区人民政府,湖州开发区管委会,市级有关部门:")  # with ISSUER, to move to the plan YAML
NUMERALS = "一二三四五六七八九十"
SHORTFALLS_PER_UNIT = 3  # the main shortfalls named per district; the rest are counted


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
    doc_number: str  # 〔2018〕  号: the office fills in its prefix and number
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


# ---------------------------------------------------------------- sentences
# Every sentence goes through `zh`: its own punctuation becomes full-width, the values
# (names, 加减分 items, figures) are inserted exactly as they are.


def score_text(r: RankedResult) -> str:
    return f"{r.score:.2f}分"


def names(units: Sequence[RankedResult]) -> str:
    return "、".join(u.name for u in units)


def ranking_sentence(units: Sequence[RankedResult], noun: str) -> str:
    """6个县区考核总分由高到低依次为：第1名长兴县（103.00分）；第2名吴兴区、德清县（并列，均为99.85分）…"""
    parts = []
    for rank, group in groupby(units, key=lambda u: u.rank):
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
    return zh("{count}个{noun}考核总分由高到低依次为:{parts}。", count=len(units), noun=noun,
              parts=zh(";").join(parts))


def grade_sentence(a: Assessment, units: Sequence[RankedResult], noun: str) -> str:
    """按考核办法，评为优秀的有长兴县、吴兴区2个县区；评为良好的有…；南浔区因数据不全，等次暂定。"""
    parts = []
    for g in a.method.params.grades:
        holders = [u for u in units if u.grade == g.name and not u.provisional]
        if holders:
            parts.append(zh("评为{grade}的有{names}{count}个{noun}", grade=g.name, names=names(holders),
                            count=len(holders), noun=noun))
    pending = [u for u in units if u.provisional]
    if pending:
        parts.append(zh("{names}因数据不全,等次暂定", names=names(pending)))
    return zh("按考核办法,{parts}。", parts=zh(";").join(parts)) if parts else ""


def progress_sentence(units: Sequence[RankedResult], noun: str) -> str:
    """A quarter reports progress, not grades (SPEC §4.7)."""
    parts = []
    for status in dict.fromkeys(u.progress for u in units if u.progress):
        holders = [u for u in units if u.progress == status]
        parts.append(zh("{status}的有{names}{count}个{noun}", status=status, names=names(holders),
                        count=len(holders), noun=noun))
    return zh("本季度为进度督查,不评定等次;{parts}。", parts=zh(";").join(parts)) if parts else ""


def veto_sentences(a: Assessment, units: Sequence[RankedResult]) -> list[str]:
    return [zh("{name}总分{score},但{reasons},实行一票否决,不得评为{grade}。", name=u.name, score=score_text(u),
               reasons="、".join(u.veto_reasons) or zh("有否决事项"), grade=top_grade(a))
            for u in units if u.vetoed]


def tie_sentences(a: Assessment, units: Sequence[RankedResult]) -> list[str]:
    """Ties the tie-break decided or could not, and quotas a shared rank went past (SPEC §4.4–§4.5)."""
    groups = {d.group for d in units if isinstance(d, DepartmentResult)}
    quota = ([q for g in groups for q in quota_notes(a, g, exceeded_only=True)] if groups
             else quota_notes(a, exceeded_only=True))
    # a quota note is our own sentence (unit names and counts): its punctuation is ours to make full-width
    return [f"{note}。" for note in tie_notes(units, zh)] + [zh(q.replace("{", "{{").replace("}", "}}") + "。")
                                                            for q in quota]


def result_paragraphs(a: Assessment, units: Sequence[RankedResult], noun: str, *, list_ranks: bool) -> list[str]:
    out = [ranking_sentence(units, noun)] if list_ranks else []
    out.append(progress_sentence(units, noun) if a.quarterly else grade_sentence(a, units, noun))
    out += veto_sentences(a, units) + tie_sentences(a, units)
    return [p for p in out if p]


def _value(x: IndicatorResult, value: object) -> str:
    unit = "" if x.rule == "qualitative" or x.unit in ("", "—") else x.unit
    return f"{show(value, 'value')}{unit}"


def shortfall_phrase(x: IndicatorResult) -> str:
    """第11项「…」目标1.38%，实绩1.104%，完成率80.0%，失分1.08分."""
    head = zh("第{id}项「{name}」", id=x.id, name=x.name)
    lost = zh("失分{lost:.2f}分", lost=x.lost)
    if x.rule == "qualitative":
        return zh("{head}目标为{target},评定为{actual},{lost}", head=head, target=x.target, actual=x.actual,
                  lost=lost)
    gap = ""
    if x.gap_unit == "个百分点" and x.gap is not None:
        gap = zh(",低于目标{gap}个百分点", gap=n(x.gap))
    elif x.completion is not None:
        gap = zh(",完成率{rate}", rate=show(x.completion, "percent"))
    return zh("{head}目标{target},实绩{actual}{gap},{lost}", head=head, target=_value(x, x.target),
              actual=_value(x, x.actual), gap=gap, lost=lost)


def shortfall_paragraphs(units: Sequence[RankedResult]) -> list[str]:
    """Each district's main shortfalls (most points lost first), its deductions, and who met every target."""
    out, clean = [], []
    for u in units:
        below = sorted((x for x in u.indicators if x.status == "below"), key=lambda x: -x.lost)
        deductions = [x for x in u.adjustments if x.points < 0]
        if not below and not deductions:
            if not u.provisional:
                clean.append(u)
            continue
        parts = [shortfall_phrase(x) for x in below[:SHORTFALLS_PER_UNIT]] or [zh("考核指标均达到目标")]
        rest = len(below) - SHORTFALLS_PER_UNIT
        if rest > 0:
            parts.append(zh("另有{rest}项指标未达到目标", rest=rest))
        parts += [zh("因「{item}」扣{points}分", item=x.item, points=n(-x.points)) for x in deductions]
        out.append(zh("{name}:{parts}。", name=u.name, parts=zh(";").join(parts)))
    if clean:
        out.append(zh("{names}各项考核指标均达到目标。", names=names(clean)))
    return out


def provisional_paragraphs(units: Sequence[RankedResult]) -> list[str]:
    out = []
    for u in units:
        if u.provisional:
            lo, hi = u.score_range
            zero = zh(",缺报指标暂按0分计算") if any(x.status == "missing" for x in u.indicators) else ""
            out.append(zh("{name}{missing}{zero},等次暂定;补齐后总分可能在{lo:.2f}分至{hi:.2f}分之间。",
                          name=u.name, missing=missing_text(u), zero=zero, lo=lo, hi=hi))
    return out


def commendation_paragraph(a: Assessment) -> str:
    t = commended(a)
    kinds: dict[str, list[str]] = {}
    for row in t.rows:
        kinds.setdefault(str(row[0]), []).append(str(row[1]))
    if not kinds:
        return zh("本期没有评为{grade}的单位。", grade=top_grade(a))
    nouns = {"县区": "个县区", "市级部门": "个市级部门"}
    listed = "和".join(f"{'、'.join(v)}{len(v)}{nouns.get(k, '个单位')}" for k, v in kinds.items())
    return zh("经研究,决定对评为{grade}的{listed}予以通报表扬。", grade=top_grade(a), listed=listed)


def opening(a: Assessment, m: Masthead) -> str:
    kind = "督查" if a.quarterly else "考核"
    doc = zh("({number})", number=a.plan.doc_number) if a.plan.doc_number else ""
    text = zh("根据《{title}》{doc}的要求,{issuer}对各县区和市级有关部门{period}工业强市建设工作进行了{kind}。",
              title=a.plan.title, doc=doc, issuer=m.issuer, period=period_name(a), kind=kind)
    if m.provisional:
        text += zh("因部分单位数据尚未报齐,本通报所列为暂定结果,数据补齐后重新计算。")
    return text + zh("现将{kind}结果通报如下:", kind=kind)


def method_paragraphs(a: Assessment) -> list[str]:
    """The appendix in words: basis, categories and full points, grade bands, adjustments, precision."""
    p = a.method.params
    doc = zh("({number})", number=a.plan.doc_number) if a.plan.doc_number else ""
    cats = "、".join(f"{c.name}{n(c.full)}分" for c in a.categories)
    bands = "、".join(f"{g.name}{n(g.min)}分以上" if g.min > 0 else f"{g.name}{n(p.grades[i - 1].min)}分以下"
                      for i, g in enumerate(p.grades))
    out = [
        zh("一、考核依据。《{title}》{doc};评分方法为{label}。", title=a.plan.title, doc=doc, label=a.method.label),
        zh("二、县区考核。按附件1所列指标计分,满分100分:{cats};另有超额加分、加分(最多{bonus}分)和扣分"
           "(最多{deduction}分)。", cats=cats, bonus=n(p.bonus_cap), deduction=n(p.deduction_cap)),
        zh("三、等次。{bands}。", bands=bands),
        zh("四、数据。各项实绩取自报送的实绩工作簿;缺报的指标暂按0分计算,结果标为暂定。总分按四舍五入保留两位小数"
           "公布,排名和等次按公布的总分确定。"),
    ]
    if a.method.changes:
        out.append(zh("五、与默认评分方法的不同:{changes}。", changes=zh(";").join(a.method.changes)))
    return out


def notice(a: Assessment, now: datetime, *, version: str) -> Notice:
    """The 通报 of an assessment: sections in the usual order, tables from the views."""
    m = masthead(a, now)
    kind = "督查" if a.quarterly else "考核"
    title = f"关于{period_name(a)}{SUBJECT}{kind}{'暂定' if m.provisional else ''}结果的通报"
    sections: list[Section] = [
        Section(f"县区{kind}结果", [*result_paragraphs(a, a.districts, "县区", list_ranks=True), district_table(a)]),
    ]
    deps = department_tables(a)
    dep_blocks: list[str | Table | Section] = [*result_paragraphs(a, a.departments, "市级部门", list_ranks=False)]
    if len(deps) > 1:
        dep_blocks += [Section(t.title.rpartition("·")[2], [t], level=2) for t in deps]
    else:
        dep_blocks += deps
    if a.departments:
        sections.append(Section(f"市级部门{kind}结果", dep_blocks))
    if not a.quarterly:
        sections.append(Section("通报表扬", [commendation_paragraph(a), commended(a)]))
    shortfalls = shortfall_paragraphs(a.districts)
    if shortfalls:
        sections.append(Section("存在的主要问题", list(shortfalls)))
    pending = provisional_paragraphs([*a.districts, *a.departments])
    if pending:
        sections.append(Section("暂定结果说明", list(pending)))
    for i, s in enumerate(sections):
        s.heading = f"{NUMERALS[i]}、{s.heading}"
        for j, sub in enumerate(b for b in s.blocks if isinstance(b, Section)):
            sub.heading = zh("({numeral}){heading}", numeral=NUMERALS[j], heading=sub.heading)
    return Notice(
        masthead=m, title=title, doc_number=f"〔{m.year}〕    号", addressees=ADDRESSEES, opening=opening(a, m),
        sections=sections, signature=[m.issuer, m.date], appendix_title=f"{period_name(a)}{kind}方法与数据来源",
        appendix=[*method_paragraphs(a), about(a, version=version, generated=beijing_time(now))],
    )


__all__ = ["ADDRESSEES", "Notice", "Section", "commendation_paragraph", "grade_sentence", "notice", "opening",
           "provisional_paragraphs", "ranking_sentence", "result_paragraphs", "shortfall_paragraphs",
           "shortfall_phrase"]
