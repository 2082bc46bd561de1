"""Chinese names for the English codes a person would otherwise read in tables and text.

JSON keeps the codes (they are stable for programs); table, csv, md and prose show these.
"""

from __future__ import annotations

RULE_NAMES: dict[str, str] = {"growth": "增幅类", "completion": "完成率类", "qualitative": "定性类"}

