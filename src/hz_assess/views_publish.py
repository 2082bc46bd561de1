"""Views for publication: what a published report shows beyond the working views.

A published report (the xlsx, html and md reports, the Word 通报) carries a masthead — a
publication title, the issuing body, the date in Beijing time and 暂定结果 when any
unit is provisional — and speaks to the units it ranks, not to the office that runs the
tool. So its sentences state facts ("吴兴区、安吉县总分同为99.40分,并列第2名,均评为优秀"),
name indicators by number and name (never a file's cell), say which department group a
department is ranked in, and in a quarter speak of 进度 only (no 考核总分, no 等次).
What is for the office alone — the quota note that asks it to decide, the plan's own
inconsistencies, every missing cell — stays in the working outputs and in 说明 at the end
(`about_table`, `about_text`), with hashes and paths.
Everything here is built from the results and the views of `views.py`; renderers only lay it out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from itertools import groupby

from hz_assess.models import Assessment, DepartmentResult, IndicatorResult, RankedResult, UnitResult, quota_places
from hz_assess.rules import n
from hz_assess.views import (
    Block,
    Column,
    Document,
    Table,
    Text,
    category_notes,
    category_profiles,
    city_detail,
    city_targets,
    department_detail,
    department_ranks,
    district_ranks,
    flatten,
    full_width,
    issues,
    shortfalls,
    total_chart,
    zh,
)

# The subject of the published title; the issuer is the plan's (YAML `plan.issuer`, SPEC §6).
SUBJECT = "湖州市工业强市建设"
DEFAULT_ISSUER = "湖州市工业强市建设工作领导小组办公室"  # a record made before the plan named its issuer
PROVISIONAL_TITLE = "暂定结果"
BEIJING = timezone(timedelta(hours=8))  # China has no daylight saving: a fixed offset is exact
QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}
MISSING_NAMED = 3  # a provisional unit's missing indicators named in published text; the rest are counted
PENDING_PROGRESS = "暂定"  # a quarter's progress while data are missing: not 落后进度, which would blame the unit
ON_TRACK = "达到进度"


@dataclass(frozen=True)
class Masthead:
    """The first lines of a published report."""

    title: str  # 2017年度湖州市工业强市建设考核结果
    short: str  # 2017年度工业强市建设考核: the prefix of each sheet's title
    issuer: str
    date: str  # 2018年1月15日, Beijing time: the issue date printed under the signature
    year: int  # the year of `date`: the 〔year〕 of a document number issued that day
    provisional: bool
    basis: str  # 依据《…》(湖政办发〔2017〕13号)
    quarterly: bool = False

    @property
    def status(self) -> str:
        return PROVISIONAL_TITLE if self.provisional else ""

    def lines(self) -> list[str]:
        """The masthead under the title: issuer and date, then 暂定结果 on a line of its own."""
        out = [f"{self.issuer}    {self.date}", self.basis]
        if self.provisional:
            what = "结果" if self.quarterly else "等次"
            out.append(zh("{status}:部分单位数据尚未报齐,其{what}暂定,数据补齐后重新计算。", status=self.status,
                          what=what))
        return out

    def sheet_title(self, title: str) -> str:
        """A sheet's or section's title: what it is, and 暂定结果 whenever anything is provisional."""
        return f"{self.short} {title}" + (zh("({status})", status=self.status) if self.provisional else "")


def beijing_date(moment: datetime) -> str:
    """A date as 公文 write it (GB/T 9704: Arabic numerals, no leading zeros), in Beijing time."""
    local = moment.astimezone(BEIJING)
    return f"{local.year}年{local.month}月{local.day}日"


def beijing_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") + zh("(北京时间)")


def period_name(a: Assessment) -> str:
    """2017年度 / 2017年第二季度."""
    year, _, quarter = a.input.period.partition("Q")
    return f"{year}年第{QUARTERS.get(quarter, quarter)}季度" if quarter else f"{year}年度"


def kind_word(a: Assessment) -> str:
    """考核 at year end, 督查 in a quarter (季度督查, SPEC §4.7)."""
    return "督查" if a.quarterly else "考核"


def masthead(a: Assessment, now: datetime) -> Masthead:
    local = now.astimezone(BEIJING)
    doc = zh("({number})", number=a.plan.doc_number) if a.plan.doc_number else ""
    return Masthead(
        title=f"{period_name(a)}{SUBJECT}{kind_word(a)}结果",
        short=f"{period_name(a)}{SUBJECT.removeprefix('湖州市')}{kind_word(a)}",
        issuer=a.plan.issuer or DEFAULT_ISSUER, date=beijing_date(now), year=local.year, provisional=a.provisional,
        basis=f"依据《{a.plan.title}》{doc}", quarterly=a.quarterly,
    )


# ---------------------------------------------------------------- words for published sentences

_CN_PUNCT = str.maketrans({":": "：", "(": "（", ")": "）", ",": "，", ";": "；"})


def cn(name: str) -> str:
    """A name from the plan (an indicator, a category) as published Chinese text writes it: full-width
    punctuation (其中：重点技改增幅, 企业技术（研发）中心). Only for the plan's own names, never typed text."""
    return name.translate(_CN_PUNCT)


def item_name(x: IndicatorResult) -> str:
    """第12项“规上工业新产品产值” for a row of 附件1; a city target by its id (C05“新增创新领军人才”)."""
    label = f"第{x.id}项" if x.id.isdigit() else x.id
    inner = cn(x.name).replace("“", "‘").replace("”", "’")  # quotes inside quotes are single (GB/T 15834)
    return f"{label}“{inner}”"


_QUOTED_REASON = re.compile(r"^(第\S+?项|加减分事项)「(.*)」(.*)$")


def reason_text(reason: str) -> str:
    """A veto reason as the core words it (第25项「…」评定为未完成) with published quotes (“…”); the quoted
    name or 加减分 item is kept exactly as it is."""
    m = _QUOTED_REASON.match(reason)
    return f"{m[1]}“{m[2]}”{m[3]}" if m else reason


def score_text(r: RankedResult) -> str:
    return f"{r.score:.2f}分"


def names(units: Sequence[RankedResult]) -> str:
    return "、".join(u.name for u in units)


def group_name(a: Assessment, r: RankedResult) -> str:
    """牵头部门 / 配合部门 / 服务保障部门 for a department (each group is ranked on its own); "" for a district."""
    return a.method.params.departments.groups[r.group].name if isinstance(r, DepartmentResult) else ""


def top_grade(a: Assessment) -> str:
    return a.method.params.grades[0].name


def missing_phrase(r: RankedResult, limit: int = MISSING_NAMED) -> str:
    """What a provisional unit lacks, in words a reader checks against the plan: 未报送实绩; 缺第3项“…”、
    第6项“…”等20项指标的数据; 尚未评价. A long list is cut after `limit` names and counted."""
    if isinstance(r, UnitResult) and r.unreported:
        return "未报送实绩"
    rows = [x for x in r.indicators if x.status == "missing"]
    parts = []
    if len(rows) > limit:
        parts.append(f"缺{'、'.join(item_name(x) for x in rows[:limit])}等{len(rows)}项指标的数据")
    elif rows:
        parts.append(f"缺{'、'.join(item_name(x) for x in rows)}的数据")
    if isinstance(r, DepartmentResult) and r.rating is None:
        parts.append("尚未评价")
    return zh(",").join(parts) or f"缺{len(r.missing)}项数据"


def pending_progress(a: Assessment, r: RankedResult) -> bool:
    """A quarter: the unit lacks data and has not reached the progress line, so its progress is not known."""
    return a.quarterly and r.provisional and r.progress != ON_TRACK


def progress_text(a: Assessment, r: RankedResult) -> str:
    return PENDING_PROGRESS if pending_progress(a, r) else (r.progress or "")


def standing_text(a: Assessment, r: RankedResult) -> str:
    """总分101.20分,第1名,优秀 / 得分25.32分,第1名,进度暂定 / 总分0.00分,不排名,等次暂定."""
    place = f"第{r.rank}名" if r.rank is not None else "不排名"
    if a.quarterly:
        progress = progress_text(a, r)
        shown = "进度暂定" if progress == PENDING_PROGRESS else progress
        return zh("得分{score},{place}", score=score_text(r), place=place) + (zh(",{p}", p=shown) if shown else "")
    grade = "等次暂定" if r.provisional else r.grade
    return zh("总分{score},{place},{grade}", score=score_text(r), place=place, grade=grade)


# ---------------------------------------------------------------- sentences about a ranked group


def tie_sentences(a: Assessment, units: Sequence[RankedResult]) -> list[str]:
    """Shared ranks ("吴兴区、安吉县总分同为99.40分,并列第2名,均评为优秀") and orders the tie-break decided,
    each once; a department's sentence names its group, since each group is ranked on its own."""
    total = "得分" if a.quarterly else "总分"
    out = []
    ranked = [u for u in units if u.rank is not None]
    for _, same in groupby(ranked, key=lambda u: (group_name(a, u), u.rank)):
        tied = list(same)
        if len(tied) < 2:
            continue
        group = group_name(a, tied[0])
        text = zh("{prefix}{names}{total}同为{score},并列第{rank}名", prefix=zh("{g}中,", g=group) if group else "",
                  names=names(tied), total=total, score=score_text(tied[0]), rank=tied[0].rank)
        grades = {u.grade for u in tied}
        if not a.quarterly and len(grades) == 1 and not any(u.provisional for u in tied):
            text += zh(",均评为{grade}", grade=tied[0].grade)
        out.append(text + "。")
    for u in ranked:
        for part in u.tie_break.split(";"):
            if "排在前" in part:  # the core words each decided pair from both sides: publish the winner's
                part = re.sub(r"同为 ([\d.]+)", r"同为\1分", part).replace(" ", "")
                group = group_name(a, u)
                out.append(zh("{prefix}{name}", prefix=zh("{g}中,", g=group) if group else "", name=u.name)
                           + part.translate(_CN_PUNCT) + "。")
    return out


def veto_sentences(a: Assessment, units: Sequence[RankedResult]) -> list[str]:
    if a.quarterly:
        return []
    return [zh("{name}总分{score},但{reasons},实行一票否决,不得评为{grade}。", name=u.name, score=score_text(u),
               reasons="、".join(reason_text(x) for x in u.veto_reasons) or "有否决事项",
               grade=a.method.params.vetoed_cannot_be)
            for u in units if u.vetoed]


def quota_sentences(a: Assessment, units: Sequence[RankedResult]) -> list[str]:
    """Units at or above the top band that the quota left a grade lower: why, as a fact."""
    p = a.method.params
    top = p.grades[0]
    if a.quarterly or not p.quota or top.name not in p.quota:
        return []
    out = []
    for group, members in groupby(units, key=lambda u: group_name(a, u)):
        peers = list(members)
        ranked = [u for u in peers if u.rank is not None]
        left = [u for u in ranked if u.score >= top.min and u.grade != top.name and not u.vetoed
                and not u.provisional]
        if left:
            places = quota_places(p.quota[top.name], len(peers))  # the quota counts every unit, ranked or not
            holders = sum(1 for u in ranked if u.grade == top.name)
            taken = (zh("因名次并列已评出{holders}个{grade}", holders=holders, grade=top.name) if holders > places
                     else "已由排名在前的单位获得")
            prefix = zh("{g}中,", g=group) if group else ""
            out.append(zh("{prefix}{names}总分在{line}分以上,但{grade}名额为{places}个({count}个{noun}的{share}),"
                          "{taken},故评为{lower}。", prefix=prefix, names=names(left), line=n(top.min),
                          grade=top.name, places=places, count=len(peers), noun=group or "县区",
                          share=_share(p.quota[top.name]), taken=taken,
                          lower="、".join(dict.fromkeys(u.grade for u in left))))
    return out


def _share(spec: int | str) -> str:
    if isinstance(spec, int):
        return f"限{spec}个"
    top, _, bottom = spec.partition("/")
    return {"1/3": "三分之一", "1/4": "四分之一", "1/5": "五分之一", "1/2": "二分之一"}.get(spec, f"{top}/{bottom}")


def provisional_sentences(a: Assessment, units: Sequence[RankedResult]) -> list[str]:
    """Each provisional unit: what it lacks (named, not its cells), and the range its total may reach."""
    out = []
    total = "得分" if a.quarterly else "总分"
    for u in units:
        if not u.provisional:
            continue
        lo, hi = u.score_range
        what = "进度暂定" if a.quarterly else "等次暂定"
        out.append(zh("{name}{missing},{what};数据补齐后{total}可能在{lo:.2f}分至{hi:.2f}分之间。", name=u.name,
                      missing=missing_phrase(u), what=what, total=total, lo=lo, hi=hi))
    return out


def rank_notes(a: Assessment, units: Sequence[RankedResult]) -> list[str]:
    """The notes under a published rank table: ties, 否决, the quota, provisional units."""
    return [*tie_sentences(a, units), *veto_sentences(a, units), *quota_sentences(a, units),
            *provisional_sentences(a, units)]


# ---------------------------------------------------------------- rank tables as published


def _without_columns(t: Table, keys: Sequence[str]) -> Table:
    keep = [i for i, c in enumerate(t.columns) if c.key not in keys]
    marks = {(r, keep.index(c)): m for (r, c), m in t.cell_marks.items() if c in keep}
    return replace(t, columns=[t.columns[i] for i in keep], rows=[[row[i] for i in keep] for row in t.rows],
                   cell_marks=marks)


def _published_ranks(a: Assessment, t: Table, units: Sequence[RankedResult]) -> Table:
    """A rank view as published: a quarter's progress 暂定 where data are missing (and 暂定 said once), the
    published notes, and no column that is empty for every unit (服务保障部门 have no 指标得分)."""
    keys = [c.key for c in t.columns]
    for i, (row, u) in enumerate(zip(t.rows, units, strict=True)):
        if pending_progress(a, u):
            t.marks[i] = "provisional"  # not coloured as behind: its progress is not known yet
        if a.quarterly and u.rank is None and u.progress and u.progress != ON_TRACK and not u.provisional:
            row[keys.index("score")] = None  # 年底评价: nothing is scored in a quarter, not a total of 0
        if "progress" in keys and pending_progress(a, u):
            row[keys.index("progress")] = PENDING_PROGRESS
            marks = [m for m in str(row[keys.index("flags")] or "").split("、") if m and m != PENDING_PROGRESS]
            row[keys.index("flags")] = "、".join(marks)
    t.notes = rank_notes(a, units)
    if a.quarterly:  # a quarter's total is progress against time-scaled targets, not a 考核总分
        t.columns = [Column(c.key, "得分", c.kind) if c.key == "score" else c for c in t.columns]
    empty = [c.key for i, c in enumerate(t.columns) if all(row[i] in (None, "") for row in t.rows)]
    return _without_columns(t, [k for k in empty if k != "name"])


def district_table(a: Assessment) -> Table:
    t = district_ranks(a, published=True)
    t.title = zh("县区进度排名(季度督查)") if a.quarterly else "县区排名"
    out = _published_ranks(a, t, a.districts)
    out.notes += [full_width(note) + "。" for note in category_notes(a)]  # why a category may pass its header
    return out


def group_title(a: Assessment, key: str) -> str:
    """牵头部门（指标60分+评价40分）: the group and how its total is made."""
    g = next(g for k, g in a.method.params.departments.groups.items() if k == key)
    how = (zh("(指标{i}分+评价{r}分)", i=n(g.indicator_weight), r=n(g.rating_weight)) if g.indicator_weight
           else zh("(评价{r}分)", r=n(g.rating_weight)))
    return f"{g.name}{how}"


def department_tables(a: Assessment) -> list[Table]:
    """One table per department group (分类考核, SPEC §4.8), each titled with its group."""
    out = []
    for t in department_ranks(a, published=True):
        key = t.name.partition(":")[2]
        members = [d for d in a.departments if d.group == key]
        t.title = f"部门排名·{group_title(a, key)}"
        out.append(_published_ranks(a, t, members))
    return out


def department_ranking(a: Assessment) -> Table:
    """All department groups in one table (the xlsx sheet 部门排名), each group ranked on its own."""
    tables = department_ranks(a, published=True)
    if not tables:
        return Table("department_ranks", "部门排名", [])
    how = "按组别分别排名" if a.quarterly else "按组别分别排名、评定等次"
    combined = Table("department_ranks", f"部门排名({how})", [Column("group", "组别"), *tables[0].columns])
    for t in tables:
        members = [d for d in a.departments if d.group == t.name.partition(":")[2]]
        shown = _published_ranks(a, t, members)
        by_key = {c.key: i for i, c in enumerate(shown.columns)}
        for row, mark in zip(shown.rows, shown.marks, strict=True):
            combined.add([group_name(a, members[0]),
                          *[row[by_key[c.key]] if c.key in by_key else None for c in combined.columns[1:]]], mark)
        combined.notes += shown.notes
    return _without_columns(combined, [c.key for i, c in enumerate(combined.columns)
                                       if all(row[i] in (None, "") for row in combined.rows)])


def commended(a: Assessment) -> Table:
    """受表扬单位: the units graded at the top grade (优秀), districts first, then each department group, which
    is ranked and graded on its own; the rank is the rank within its group. Provisional units wait."""
    t = Table("commended", f"评为{top_grade(a)}的单位", [
        Column("kind", "类别"), Column("name", "单位"), Column("score", "总分", "score"),
        Column("rank", "组内排名", "int")])
    for r in [*a.districts, *a.departments]:
        if r.grade == top_grade(a) and not r.provisional:
            t.add([group_name(a, r) or "县区", r.name, r.score, r.rank], "grade0")
    if not t.rows:
        t.notes.append(f"本期没有评为{top_grade(a)}的单位。")
    return t


def city_summary(a: Assessment) -> Text:
    """全市进展 in published words: the city's own 附件1 score and how many further city targets are met."""
    c = a.city
    cats = "、".join(f"{k}{v.score:.2f}分" for k, v in c.categories.items())
    met = sum(1 for r in c.city_targets if r.status == "met")
    missing = sum(1 for r in c.city_targets if r.status == "missing")
    return Text("city_summary", [
        zh("全市按附件1计算的得分为{score:.2f}分{pending}:{cats}。", score=c.score, cats=cats,
           pending=zh("(暂定)") if c.provisional else ""),
        zh("全市其他量化目标{count}项:达标{met}项,未达标{below}项,缺数据{missing}项。", count=len(c.city_targets),
           met=met, below=len(c.city_targets) - met - missing, missing=missing),
    ], title=zh("全市进展(不参与排名)"))


def _common_file(t: Table) -> Table:
    """Sources named as 全市.xlsx!县区实绩!E26 in every row of a table: when one file holds them all, the
    column shows the cells and a note names the file once (a row is not two lines taller for it)."""
    keys = [c.key for c in t.columns]
    if "source" not in keys:
        return t
    i = keys.index("source")
    sources = [str(row[i]) for row in t.rows if row[i]]
    files = {x.partition("!")[0] for x in sources if x.count("!") >= 2}
    if len(files) != 1 or not all(x.count("!") >= 2 for x in sources):
        return t
    (file,) = files
    for row in t.rows:
        if row[i]:
            row[i] = str(row[i]).partition("!")[2]
    t.notes.append(zh("来源栏为{file}中的单元格。", file=file))
    return t


DETAIL_KEYS = ("department", "id", "name")  # 部门明细's columns on every printed strip


def department_detail_table(a: Assessment) -> Table:
    """部门明细 as printed: the department, 序号 and 主要指标 lead, so a sheet split into page strips repeats
    them on each strip; the department's rating and total follow its rows' figures."""
    t = _common_file(department_detail(a))
    keys = [c.key for c in t.columns]
    order = [*DETAIL_KEYS, *(k for k in keys if k not in DETAIL_KEYS and k not in ("rating", "total")),
             "rating", "total"]
    index = [keys.index(k) for k in order]
    marks = {(r, index.index(c)): m for (r, c), m in t.cell_marks.items()}
    return replace(t, columns=[t.columns[i] for i in index], rows=[[row[i] for i in index] for row in t.rows],
                   cell_marks=marks)


def city_detail_table(a: Assessment) -> Table:
    return _common_file(city_detail(a))


# ---------------------------------------------------------------- each district, as published


def district_sections(a: Assessment) -> list[Block]:
    """Each district: where it stands, the indicators below target (a table, or a sentence when there are
    none), what it lacks and its 加减分 — indicators named, never a file's cell."""
    out: list[Block] = []
    for d in a.districts:
        head = zh("{name}({standing})", name=d.name, standing=standing_text(a, d))
        t = shortfalls(d, name=f"shortfalls:{d.name}")
        lines = []
        if t.rows:
            t.title = zh("{head}:{title}", head=head, title=t.title.replace(" ", "").translate(_CN_PUNCT))
            t.notes = []
            out.append(t)
        else:
            met = "已报送的指标均达到目标" if d.provisional else "各项考核指标均达到目标"
            lines.append(zh("{met}。", met=met) if not (isinstance(d, UnitResult) and d.unreported) else "")
        if d.provisional:
            lines += provisional_sentences(a, [d])
        lines += adjustment_sentences([d])
        lines = [x for x in lines if x]
        if lines:
            out.append(Text(f"notes:{d.name}", lines, title="" if t.rows else head))
    return out


def adjustment_sentences(units: Sequence[RankedResult]) -> list[str]:
    """Each 加分 and 扣分 item: who, why (as typed) and how many points."""
    out = []
    for u in units:
        for x in u.adjustments:
            what = "加" if x.points > 0 else "扣"
            basis = zh("(依据:{basis})", basis=x.basis) if x.basis else ""
            out.append(zh("{name}因“{item}”{what}{points}分{basis}。", name=u.name,
                          item=x.item, what=what, points=n(abs(x.points)), basis=basis))
    return out


# ---------------------------------------------------------------- 说明: for the office, at the end

PARAMETER_LABELS = {
    "growth.bonus_per_point": "增幅类指标:每超过目标1个百分点,超额分占分值的比例",
    "growth.bonus_cap": "增幅类指标:超额分上限(占分值的比例)",
    "growth.penalty_per_point": "增幅类指标:每低于目标1个百分点,扣减分值的比例",
    "completion.bonus_per_ratio": "完成类指标:超额完成部分(完成率−1)折算超额分的系数",
    "completion.bonus_cap": "完成类指标:超额分上限(占分值的比例)",
    "completion.zero_below": "完成类指标:完成率低于此值不得分",
    "qualitative.levels": "定性指标“{key}”的得分系数",
    "over_cap": "超额加分上限(分)",
    "bonus_cap": "加分上限(分)",
    "deduction_cap": "扣分上限(分)",
    "precision": "总分公布保留的小数位数",
    "tie_break": "总分相同时依次比较得分的指标(项)",
    "grades": "等次分数线",
    "quota": "“{key}”名额(占同组单位数)",
    "veto_level": "否决指标评定为此等级即一票否决",
    "vetoed_cannot_be": "被否决的单位不得评为",
    "progress_threshold": "季度督查:基本分达到此分为达到进度",
    "departments.support_factor": "部门配合指标的权重(牵头为1)",
    "departments.city_target_points": "全市目标计入部门指标时的分值",
    "departments.ratings": "部门评价“{key}”的得分系数",
    "departments.tie_break": "部门总分相同时依次比较得分的指标(项)",
}
GROUP_PARTS = {"indicator_weight": "指标部分满分", "rating_weight": "评价部分满分"}
ANNUAL_ONLY = ("grades", "quota", "veto_level", "vetoed_cannot_be")  # a quarter grades nothing (SPEC §4.7)


def parameter_rows(a: Assessment, *, keys: bool) -> list[tuple[str, object]]:
    """The method's parameters, each under a Chinese label (`keys`: the YAML key after it, for whoever edits
    the plan). A quarter leaves out the grade bands, quota and veto; a year-end report the progress line."""
    p = a.method.params
    groups: dict[str, str] = {k: g.name for k, g in p.departments.groups.items()}
    flat: list[tuple[str, object]] = []
    flatten("scoring", p.model_dump(mode="json"), flat)
    out = []
    for path, value in flat:
        key = path.removeprefix("scoring.")
        if (a.quarterly and key.startswith(ANNUAL_ONLY)) or (not a.quarterly and key == "progress_threshold"):
            continue
        parts = key.split(".")
        if parts[:2] == ["departments", "groups"]:
            if parts[-1] == "name":
                continue
            label = f"{groups.get(parts[2], parts[2])}:{GROUP_PARTS.get(parts[-1], parts[-1])}"
        else:
            head = ".".join(parts[:-1])
            template = PARAMETER_LABELS.get(key) or PARAMETER_LABELS.get(head, key)
            label = template.format(key=parts[-1])
        if key.endswith("tie_break"):
            value = zh("第{ids}项", ids=value) if value else "不设"
        elif isinstance(value, float):
            value = n(value)
        out.append((zh(label) + (f"({path})" if keys else ""), value))
    return out


def _office_notes(a: Assessment) -> list[str]:
    """a.notes for 说明: the plan's own inconsistencies and 未报送; not the quota note that asks the office to
    decide (the rank notes state the fact) nor each unit's missing cells (缺数据与警告 lists them)."""
    out = []
    for note in a.notes:
        if "请考核办研究决定" in note or re.match(r"^\S+ 有 \d+ 项缺数据", note):
            continue
        out.append(re.sub(r"未报送:所给的 (\d+) 份文件中没有其任何实绩", r"未报送:\1 份报送文件中都没有其实绩", note))
    return out


def about_table(a: Assessment, *, version: str, generated: str, keys: bool = False) -> Table:
    """说明 as a table: the report, plan and input with their hashes, the method and every parameter in words."""
    t = Table("about", "报告说明", [Column("item", "项目"), Column("value", "内容")])
    t.add(["报告", f"{period_name(a)}{SUBJECT}{kind_word(a)}结果" + (zh("(暂定结果)") if a.provisional else "")])
    t.add(["计划", zh("{title}({number})", title=a.plan.title, number=a.plan.doc_number or a.plan.id)])
    t.add(["计划文件", a.plan.path or "内置"])
    t.add(["计划文件 sha256", a.plan.sha256])
    if a.plan.departments_path or a.plan.departments_sha256:
        t.add(["部门文件", a.plan.departments_path or "内置"])
        t.add(["部门文件 sha256", a.plan.departments_sha256])
    for f in a.input.files:
        t.add(["输入文件", f"{f.path}(sha256 {f.sha256})"])
    t.add(["期别", zh("{name}({period})", name=period_name(a), period=a.input.period)])
    t.add(["评分方法", a.method.label])
    for change in a.method.changes:
        t.add(["方法调整", change])
    if a.quarterly:
        t.add(["季度督查", quarter_method(a)])
    for label, value in parameter_rows(a, keys=keys):
        t.add([label, value])
    for w in a.warnings:
        t.add(["数据审核", f"{w.message}({w.file} {w.cell})".replace("( )", "")])
    for note in _office_notes(a):
        t.add(["计算说明", note])
    t.add(["工具版本", f"hz-assess {version}"])
    t.add(["生成时间", generated])
    t.add(["精度", zh("得分保留全部精度计算,总分按四舍五入保留两位小数公布;表中均为数值,不含公式。")])
    return t


def quarter_method(a: Assessment) -> str:
    quarter = a.input.period.partition("Q")[2]
    return zh("累计类指标按时间进度(全年目标×{q}/4)比较,比率、水平类指标按全年目标比较,定性指标和年底一次性认定的"
              "指标待年底评定;基本分达到{line}分为达到进度,数据未报齐的单位进度暂定。", q=quarter,
              line=n(a.method.params.progress_threshold))


def about_text(a: Assessment, *, version: str, generated: str) -> Text:
    """说明 at the end of a published report (html, md): where every number came from."""
    return Text("about", [zh("{item}:{value}", item=row[0], value=row[1])
                          for row in about_table(a, version=version, generated=generated).rows], title="说明")


def published_issues(a: Assessment) -> Table:
    """缺数据与警告 as published: every missing cell, warning and 加减分 item, and 未报送 in words; not the
    quota note that asks the office to decide (stated as a fact here and in the rank notes), each unit's
    list of missing cells (the rows above) or the plan's own inconsistencies (说明 has them)."""
    t = issues(a)
    office = _office_notes(a)
    kept = [(row, mark) for row, mark in zip(t.rows, t.marks, strict=True) if row[0] != "说明"]
    t.rows, t.marks = [r for r, _ in kept], [m for _, m in kept]
    for note in office:
        if not note.startswith("计划自身"):  # the plan's own inconsistencies are for 说明 alone
            t.add(["说明", None, note, None, None, None])
    for sentence in [*tie_sentences(a, [*a.districts, *a.departments])]:
        if "均评为" in sentence:
            t.add(["说明", None, sentence, None, None, None])
    if not t.rows:
        t.add(["—", None, "没有缺数据、警告或加减分事项", None, None, None])
    return t


# ---------------------------------------------------------------- the published briefing (html, md)


def publication_document(a: Assessment, now: datetime, *, version: str) -> Document:
    """The published briefing: masthead, ranks as published, city progress, each district, and 说明
    (hashes, paths, data checks and the plan's own notes) at the end."""
    m = masthead(a, now)
    chart = total_chart(a)
    if a.quarterly:
        chart.title = "县区得分(按时间进度)"
    blocks: list[Block] = [district_table(a), chart, *category_profiles(a), *department_tables(a),
                           city_summary(a), city_targets(a), *district_sections(a)]
    blocks.append(about_text(a, version=version, generated=beijing_time(now)))
    for block in blocks:
        if isinstance(block, Table) and block.name.startswith(("district_ranks", "department_ranks")):
            block.title = m.sheet_title(block.title)
    title = m.title + (zh("({status})", status=m.status) if m.provisional else "")
    return Document("report", title, meta=m.lines(), blocks=blocks)


__all__ = [
    "BEIJING", "SUBJECT", "about_table", "about_text", "adjustment_sentences", "beijing_date", "beijing_time",
    "city_detail_table", "city_summary", "cn", "commended", "department_detail_table", "department_ranking",
    "department_tables", "district_sections", "district_table", "group_name", "group_title", "item_name",
    "kind_word", "masthead", "Masthead", "missing_phrase", "names", "period_name", "progress_text",
    "provisional_sentences", "publication_document", "published_issues", "quota_sentences", "rank_notes",
    "reason_text", "score_text", "standing_text", "tie_sentences", "top_grade", "veto_sentences", "zh",
]
