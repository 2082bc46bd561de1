"""Views for publication: what a published report shows beyond the working views.

A published report (the xlsx and html reports, the Word 通报) carries a masthead — a
publication title, the issuing body, the date in Beijing time and 暂定结果 when any
unit is provisional — and shows rank tables as an office publishes them: a
provisional unit's grade reads 暂定, because its final grade is not known yet. Hashes,
paths and method parameters belong in 说明 at the end (`about_text`), never in a title.
Everything here is built from the views of `views.py`; renderers only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from hz_assess.models import Assessment
from hz_assess.views import (
    Block,
    Column,
    Document,
    Table,
    Text,
    category_profiles,
    city_summary,
    city_targets,
    department_ranks,
    district_ranks,
    district_sections,
    missing_text,
    provenance,
    total_chart,
    zh,
)

# The issuing body and the subject of the published title. SPEC §6 says the issuer
# comes from the plan YAML; until the plan model has that field it is a constant here.
SUBJECT = "湖州市工业强市建设"
DEFAULT_ISSUER = "湖州市工业强市建设工作领导小组办公室"  # a record made before the plan named its issuer
PROVISIONAL_TITLE = "暂定结果"
BEIJING = timezone(timedelta(hours=8))  # China has no daylight saving: a fixed offset is exact
QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}


@dataclass(frozen=True)
class Masthead:
    """The first lines of a published report."""

    title: str  # 2017年度湖州市工业强市建设考核结果
    short: str  # 2017年度工业强市建设考核: the prefix of each sheet's title
    issuer: str
    date: str  # 2018年1月15日, Beijing time
    year: int  # the year of `date`: the 〔year〕 of a document number
    provisional: bool
    basis: str  # 依据《…》(湖政办发〔2017〕13号)

    @property
    def status(self) -> str:
        return PROVISIONAL_TITLE if self.provisional else ""

    def lines(self) -> list[str]:
        """The masthead under the title: issuer and date, then 暂定结果 on a line of its own."""
        out = [f"{self.issuer}    {self.date}", self.basis]
        if self.provisional:
            out.append(zh("{status}:部分单位缺数据或缺评价,其等次暂定,数据补齐后重新计算。", status=self.status))
        return out

    def sheet_title(self, title: str) -> str:
        """A sheet's or section's title: what it is, and 暂定结果 whenever anything is provisional."""
        return f"{self.short} {title}" + (zh("({status})", status=self.status) if self.provisional else "")


def beijing_date(moment: datetime) -> str:
    """A date as 公文 write it (GB/T 9704: Arabic numerals, no leading zeros), in Beijing time."""
    local = moment.astimezone(BEIJING)
    return f"{local.year}年{local.month}月{local.day}日"


def period_name(a: Assessment) -> str:
    """2017年度 / 2017年第二季度."""
    year, _, quarter = a.input.period.partition("Q")
    return f"{year}年第{QUARTERS.get(quarter, quarter)}季度" if quarter else f"{year}年度"


def masthead(a: Assessment, now: datetime) -> Masthead:
    kind = "督查" if a.quarterly else "考核"
    local = now.astimezone(BEIJING)
    doc = zh("({number})", number=a.plan.doc_number) if a.plan.doc_number else ""
    return Masthead(
        title=f"{period_name(a)}{SUBJECT}{kind}结果", short=f"{period_name(a)}{SUBJECT.removeprefix('湖州市')}{kind}",
        issuer=a.plan.issuer or DEFAULT_ISSUER, date=beijing_date(now), year=local.year, provisional=a.provisional,
        basis=f"依据《{a.plan.title}》{doc}",
    )


# ---------------------------------------------------------------- rank tables as published
#
# The rank views already publish provisional grades as 暂定 and say under each table what
# a provisional unit lacks (views.ranking_notes), so the published tables are those views.


def district_table(a: Assessment) -> Table:
    return district_ranks(a, published=True)


def department_tables(a: Assessment) -> list[Table]:
    """One table per department group (分类考核, SPEC §4.8), each titled with its group."""
    return department_ranks(a, published=True)


def top_grade(a: Assessment) -> str:
    return a.method.params.grades[0].name


def commended(a: Assessment) -> Table:
    """受表扬单位: the units graded at the top grade (优秀), districts first; provisional units wait."""
    t = Table("commended", f"评为{top_grade(a)}的单位", [
        Column("kind", "类别"), Column("name", "单位"), Column("score", "总分", "score"),
        Column("rank", "排名", "int")])
    for kind, results in (("县区", a.districts), ("市级部门", a.departments)):
        for r in results:
            if r.grade == top_grade(a) and not r.provisional:
                t.add([kind, r.name, r.score, r.rank], "grade0")
    if not t.rows:
        t.notes.append(f"本期没有评为{top_grade(a)}的单位。")
    return t


# ---------------------------------------------------------------- the published html report


def about_text(a: Assessment, *, version: str, generated: str) -> Text:
    """说明 at the end of a published report: where every number came from."""
    return Text("about", [*provenance(a), zh("工具版本:hz-assess {version}", version=version),
                          zh("生成时间:{generated}", generated=generated),
                          zh("得分保留全部精度计算,表中显示为两位小数。")], title="说明")


def publication_document(a: Assessment, now: datetime, *, version: str) -> Document:
    """The published briefing (html): masthead, ranks as published, city progress, each district's
    shortfalls, warnings, and 说明 (hashes and paths) at the end."""
    m = masthead(a, now)
    blocks: list[Block] = [district_table(a), total_chart(a), *category_profiles(a), *department_tables(a),
                           city_summary(a), city_targets(a), *district_sections(a)]
    if a.warnings or a.notes:
        blocks.append(Text("warnings", [*(w.message for w in a.warnings), *a.notes], title="注意"))
    blocks.append(about_text(a, version=version, generated=beijing_time(now)))
    for block in blocks:
        if isinstance(block, Table) and block.name.startswith(("district_ranks", "department_ranks")):
            block.title = m.sheet_title(block.title)
    title = m.title + (zh("({status})", status=m.status) if m.provisional else "")
    return Document("report", title, meta=m.lines(), blocks=blocks)


def beijing_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") + zh("(北京时间)")


__all__ = [
    "BEIJING", "SUBJECT", "Masthead", "about_text", "beijing_date", "beijing_time",
    "commended", "department_tables", "district_table", "masthead", "missing_text", "period_name",
    "publication_document", "top_grade", "zh",
]
