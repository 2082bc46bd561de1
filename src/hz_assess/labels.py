"""Chinese names for the English codes a person would otherwise read in tables and text.

JSON keeps the codes (they are stable for programs); table, csv, md and prose show these.
"""

from __future__ import annotations

RULE_NAMES: dict[str, str] = {"growth": "增幅类", "completion": "完成率类", "qualitative": "定性类"}
CHANGE_KINDS: dict[str, str] = {
    "cell": "实绩", "city_target": "全市目标", "rating": "部门评价", "adjustment": "加减分",
    "unit": "参评", "score": "总分", "rank": "排名", "grade": "等次", "provisional": "暂定",
}
