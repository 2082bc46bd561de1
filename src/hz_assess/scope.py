"""What a return form is for (SPEC §3.1): one district, one department, the city, or everything.

A full workbook owes every cell. A district's return form owes that district's column;
the city's (filled by the statistics office) the 全市 column and the further city
targets; a department's its led and supported rows of the 全市 column and its city
targets — its own rating is the office's to give. `validate` asks only for what a form
owes, and 数据审核 warns about values typed outside it. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from hz_assess.errors import Problem, UsageError
from hz_assess.models import Plan

ScopeKind = Literal["all", "district", "department", "city"]
LABELS = {"all": "全部", "district": "县区", "department": "部门", "city": "全市"}


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind = "all"
    name: str = ""  # the district or department

    @classmethod
    def parse(cls, text: str) -> Scope:
        """From the stored form ("district:长兴县", "city", ""): the inverse of `str`."""
        kind, _, name = text.partition(":")
        if kind in ("", "all"):
            return cls()
        kinds: dict[str, ScopeKind] = {"district": "district", "department": "department", "city": "city"}
        if kind not in kinds:
            raise ValueError(f"unknown scope {text!r}")
        return cls(kinds[kind], name)

    @property
    def text(self) -> str:
        """As a form shows it (填报范围): 全部, 全市, 县区:长兴县, 部门:市经信委."""
        return scope_text(self.kind, self.name)

    def __str__(self) -> str:
        return "" if self.kind == "all" else (self.kind if self.kind == "city" else f"{self.kind}:{self.name}")

    @property
    def whole(self) -> bool:
        return self.kind == "all"

    def title(self, plan: Plan) -> str:
        """Who fills the form in, as its title and 填报单位 say it."""
        if self.kind == "district":
            return self.name
        if self.kind == "department":
            return self.name
        if self.kind == "city":
            return plan.city
        return ""

    def owes_unit_cell(self, plan: Plan, unit: str, ind_id: str) -> bool:
        """Whether this form is the one to fill unit's actual of indicator ind_id (附件1)."""
        if self.kind == "all":
            return True
        if self.kind == "district":
            return unit == self.name
        if self.kind == "city":
            return unit == plan.city
        dep = next((d for d in plan.departments if d.name == self.name), None)
        return dep is not None and unit == plan.city and (ind_id in dep.leads or ind_id in dep.supports)

    def owes_city_target(self, plan: Plan, ct_id: str) -> bool:
        if self.kind in ("all", "city"):
            return True
        if self.kind == "department":
            dep = next((d for d in plan.departments if d.name == self.name), None)
            return dep is not None and (ct_id in dep.leads or ct_id in dep.supports)
        return False

    @property
    def owes_ratings(self) -> bool:
        """Ratings and 加减分 are the office's: only a whole workbook holds them."""
        return self.kind == "all"


def form_scope(plan: Plan, *, district: str | None = None, department: str | None = None,
               city: bool = False) -> Scope:
    """The scope a `template` call asks for; UsageError when more than one is given."""
    from hz_assess.plan import resolve_department, resolve_unit

    given = [x for x in (district, department, city or None) if x]
    if len(given) > 1:
        raise UsageError(Problem("usage", "", "--district、--department 和 --city 只能选一个"
                                              "(每份填报表只给一个单位填)"))
    if district:
        name = resolve_unit(plan, district, districts_only=True)
        return Scope("district", name)
    if department:
        return Scope("department", resolve_department(plan, department).name)
    if city:
        return Scope("city")
    return Scope()


def scope_text(kind: str, name: str) -> str:
    """The 填报范围 a form shows and the reader parses: 全部, 县区:长兴县, 部门:市经信委, 全市."""
    return {"all": "全部", "city": "全市"}.get(kind) or f"{'县区' if kind == 'district' else '部门'}:{name}"


def parse_scope_text(text: str) -> tuple[str, str] | None:
    """(kind, name) from a 填报范围 as shown; None when it is not one."""
    t = re.sub(r"[\s::]", "", unicodedata.normalize("NFKC", text))
    if t in ("全部", ""):
        return ("all", "")
    if t == "全市":
        return ("city", "")
    for kind, label in (("district", "县区"), ("department", "部门")):
        if t.startswith(label) and len(t) > len(label):
            return (kind, t[len(label):])
    return None
