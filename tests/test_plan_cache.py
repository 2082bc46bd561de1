"""The plan cache: the same Plan as without it, never a stale one, validated on every load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hz_assess.errors import PlanError
from hz_assess.plan import bundled_path, load_plan
from hz_assess.plan.loader import cache_dir


def entries() -> list[Path]:
    folder = cache_dir()
    assert folder is not None
    return sorted(folder.glob("plan-*.json"))


def copies(tmp_path: Path) -> tuple[Path, Path]:
    targets, departments = tmp_path / "targets.yaml", tmp_path / "departments.yaml"
    targets.write_bytes(bundled_path("targets_2017.yaml").read_bytes())
    departments.write_bytes(bundled_path("departments.yaml").read_bytes())
    return targets, departments


def test_a_cached_plan_equals_the_plan_read_from_yaml() -> None:
    first = load_plan(cache=True)
    assert len(entries()) == 1
    again = load_plan(cache=True)
    assert again == first == load_plan()
    assert again.model_dump() == load_plan().model_dump()


def test_a_cache_hit_does_not_parse_yaml() -> None:
    load_plan(cache=True)
    code = ("import sys\nfrom hz_assess.plan import load_plan\nload_plan(cache=True)\n"
            "print('yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    assert done.stdout.strip() == "False"


def test_without_the_cache_flag_nothing_is_cached() -> None:
    load_plan()
    folder = cache_dir()
    assert folder is not None and not folder.exists()


def test_a_changed_byte_in_either_file_is_read_not_served_from_the_cache(tmp_path: Path) -> None:
    targets, departments = copies(tmp_path)
    before = load_plan(targets, departments, cache=True)
    text = targets.read_text(encoding="utf-8")
    targets.write_text(text.replace("title: ", "title: 修订 ", 1), encoding="utf-8")
    after = load_plan(targets, departments, cache=True)
    assert after.info.title == "修订 " + before.info.title
    assert after.targets_sha256 != before.targets_sha256
    departments.write_bytes(departments.read_bytes() + b"\n# a comment\n")
    again = load_plan(targets, departments, cache=True)
    assert again.departments_sha256 != after.departments_sha256
    assert len(entries()) == 3


def test_an_entry_of_another_version_or_format_is_ignored(tmp_path: Path) -> None:
    load_plan(cache=True)
    (entry,) = entries()
    data = json.loads(entry.read_bytes())
    data["targets"]["plan"]["title"] = "来自旧版本的缓存"
    for change in ({"key": "0" * 64}, {"format": "hz-assess plan cache 0"}):
        entry.write_text(json.dumps({**data, **change}, ensure_ascii=False), encoding="utf-8")
        assert load_plan(cache=True).info.title != "来自旧版本的缓存"


def test_a_corrupt_entry_is_ignored_and_replaced() -> None:
    plan = load_plan(cache=True)
    (entry,) = entries()
    for junk in (b"", b"{", b"\xff\xfe", b"[" * 100000, b'{"format": 1}', b"null"):
        entry.write_bytes(junk)
        assert load_plan(cache=True) == plan
        assert json.loads(entry.read_bytes())["targets"]["plan"]["title"] == plan.info.title


def test_cached_data_is_validated_on_load(tmp_path: Path) -> None:
    # an entry under the right key whose data does not make a valid plan (code that changed,
    # a hand-edited file): the YAML is read instead, and its problems would name their lines
    load_plan(cache=True)
    (entry,) = entries()
    data = json.loads(entry.read_bytes())
    data["targets"]["indicators"][0]["points"] = -1
    entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    plan = load_plan(cache=True)
    assert plan.indicators[0].points is not None and plan.indicators[0].points > 0


def test_an_invalid_plan_is_reported_with_its_line_and_never_cached(tmp_path: Path) -> None:
    targets, departments = copies(tmp_path)
    targets.write_text(targets.read_text(encoding="utf-8").replace("points: 8", "points: -8", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(PlanError) as caught:
            load_plan(targets, departments, cache=True)
        assert any(p.where.startswith(f"{targets}:") for p in caught.value.problems)
    assert entries() == []


def test_an_unwritable_cache_folder_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "cache").write_text("not a folder")
    monkeypatch.setenv("HZ_ASSESS_HOME", str(home))
    assert load_plan(cache=True) == load_plan()


def test_only_the_newest_entries_are_kept(tmp_path: Path) -> None:
    targets, departments = copies(tmp_path)
    for i in range(12):
        targets.write_bytes(targets.read_bytes() + f"\n# edit {i}\n".encode())
        load_plan(targets, departments, cache=True)
    assert len(entries()) == 8
