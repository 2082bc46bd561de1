"""The terminal renderer: rich's wide table byte for byte where it fits, a narrow layout that never
splits a number or a name, and text wrapped the same way."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable
from typer.testing import CliRunner

from hz_assess import render
from hz_assess.cli import app
from hz_assess.views import Column, Document, Table, Text
from hz_assess.views import width as view_width

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"

KINDS = ("text", "int", "score", "value", "percent")


def rich_reference(doc: Document, width: int, file: io.TextIOBase, **console: object) -> None:
    """The renderer as it was, on rich's Table: what the wide layout must reproduce when a table fits."""
    out = Console(file=file, width=width, markup=False, highlight=False, emoji=False, soft_wrap=False,
                  **console)  # type: ignore[arg-type]
    out.print(doc.title)
    for line in doc.meta:
        out.print(line)
    for block in doc.blocks:
        if isinstance(block, Table):
            texts = block.texts()
            t = RichTable(title=block.title or None, title_justify="left", header_style="bold", show_lines=False,
                          pad_edge=True, collapse_padding=False)
            for i, col in enumerate(block.columns):
                longest = max([view_width(col.title), *(view_width(row[i]) for row in texts)])
                if col.kind in render.NUMERIC:
                    t.add_column(col.title, justify="right", no_wrap=True, min_width=longest)
                else:
                    t.add_column(col.title, overflow="fold", min_width=min(longest, 16), no_wrap=longest <= 12)
            for row in texts:
                t.add_row(*row)
            out.print(t)
            for note in block.notes:
                out.print(note)
        elif isinstance(block, Text):
            if block.title:
                out.print(block.title)
            for line in block.lines:
                out.print(line)


# text as it comes from views: Chinese, digits, Latin, spaces, punctuation (some full-width)
CHARS = st.sampled_from(list("长兴县湖州开发区市经信委总分优秀良好第项目完成省下达任务 0123456789.-%abcXYZ(),、;:“”·—"))
WORD = st.text(st.sampled_from(list("长兴县湖州开发区0123456789.%abc(),、")), min_size=1, max_size=8)
# a multi-line cell, as history's input files (rich measures a line of nothing but spaces oddly; views make none)
CELL = st.text(CHARS, max_size=14) | st.lists(WORD, min_size=2, max_size=3).map("\n".join)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    n = draw(st.integers(1, 6))
    columns = [Column(f"c{i}", draw(st.text(CHARS, min_size=0, max_size=8)), draw(st.sampled_from(KINDS)))
               for i in range(n)]
    t = Table("t", draw(st.text(CHARS, max_size=40)), columns)
    for _ in range(draw(st.integers(0, 5))):
        t.add([draw(CELL) for _ in columns])
    t.notes = draw(st.lists(st.text(CHARS, max_size=30), max_size=2))
    return t


def fits(t: Table, width: int) -> bool:
    natural = render.Grid.of(t, lambda c: True).rich_natural()
    return sum(natural) + 3 * len(natural) + 1 <= width


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(t=tables(), width=st.integers(120, 220))
def test_a_table_that_fits_a_wide_terminal_is_printed_exactly_as_rich_printed_it(t: Table, width: int) -> None:
    doc = Document("d", "标题", meta=["输入:实绩.xlsx"], blocks=[t, Text("notes", ["说明一行"], title="注意")])
    if not fits(t, width):
        return
    expected = io.StringIO()
    rich_reference(doc, width, expected)
    lines = render.document_lines(doc, width, render.HEAVY_HEAD)
    assert "".join("".join(text for text, _ in line) + "\n" for line in lines) == expected.getvalue()


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(t=tables(), width=st.integers(120, 220))
def test_on_a_terminal_the_styles_are_rich_s_too(t: Table, width: int) -> None:
    if not fits(t, width):
        return
    doc = Document("d", "标题", blocks=[t])
    terminal = {"force_terminal": True, "color_system": "standard"}
    expected = io.StringIO()
    rich_reference(doc, width, expected, **terminal)
    got = io.StringIO()
    render.emit_styled(render.document_lines(doc, width, render.HEAVY_HEAD),
                       Console(file=got, width=width, markup=False, highlight=False, emoji=False, soft_wrap=False,
                               **terminal))  # type: ignore[arg-type]
    assert got.getvalue() == expected.getvalue()


def test_an_output_that_cannot_encode_box_drawing_gets_rich_s_ascii_box() -> None:
    gbk = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    assert render.box_for(gbk) is render.ASCII
    assert render.box_for(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")) is render.HEAVY_HEAD
    t = Table("t", "县区排名", [Column("rank", "排名", "int"), Column("name", "县区")])
    t.add([1, "长兴县"])
    doc = Document("d", "", blocks=[t])
    expected = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    rich_reference(doc, 200, expected)
    expected.seek(0)
    lines = render.document_lines(doc, 200, render.ASCII)
    assert "".join("".join(x for x, _ in line) + "\n" for line in lines) == expected.read()


# ---------------------------------------------------------------- the narrow layout


def run(*args: str, columns: int) -> str:
    result = CliRunner().invoke(app, [*args], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def score_json() -> dict[str, object]:
    import json

    result = CliRunner().invoke(app, ["score", str(EXAMPLE), "--format", "json", "--no-record"])
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("columns", [80, 100])
def test_score_at_a_narrow_width_keeps_every_line_and_every_name_and_total_whole(columns: int) -> None:
    out = run("score", str(EXAMPLE), "--no-record", columns=columns)
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= columns
    data = score_json()
    units = [*data["districts"], *data["departments"]]  # type: ignore[misc]
    assert len(units) == 34
    for unit in units:
        # the name and its published total on one line of the ranking
        assert any(unit["name"] in line and f"{unit['score']:.2f}" in line for line in lines), unit["name"]
    assert "┃" not in out and "│" not in out  # box drawing takes two columns on many Chinese consoles


COMMANDS = [
    ("score", str(EXAMPLE), "--detail", "--no-record"), ("gaps", str(EXAMPLE), "--district", "南浔"),
    ("explain", str(EXAMPLE), "--district", "南浔", "--indicator", "4"), ("targets",), ("check",),
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[c[0] for c in COMMANDS])
@pytest.mark.parametrize("columns", [80, 100])
def test_no_narrow_table_is_wider_than_the_terminal_or_splits_a_number_or_a_name(
        argv: tuple[str, ...], columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    docs: list[Document] = []
    monkeypatch.setattr(render, "print_document", docs.append)
    CliRunner().invoke(app, list(argv))
    assert docs
    for doc in docs:
        lines = ["".join(x for x, _ in line) for line in render.document_lines(doc, columns, render.HEAVY_HEAD)]
        assert max(cell_len(x) for x in lines) <= columns
        tokens = {tok for x in lines for tok in re.split(r"\s{2,}", x.strip())}
        for t in doc.tables():
            grid = render.Grid.of(t, lambda c: c.narrow)
            names = [i for i, c in enumerate(grid.columns) if c.kind == "text"  # 国网湖州供电公司: 16 columns
                     and all(cell_len(x) <= 16 for r in grid.cells for x in r[i])]
            for row in grid.cells:
                for i, (col, cell) in enumerate(zip(grid.columns, row, strict=True)):
                    whole = (col.kind in render.NUMERIC and render._numberish(cell[0])) or i in names
                    if whole and cell[0]:
                        assert cell[0] in tokens, (t.title, col.title, cell[0])


@pytest.mark.parametrize("columns", [44, 40])
def test_a_name_column_is_never_wrapped_and_long_text_wraps_between_characters(columns: int) -> None:
    t = Table("t", "部门排名", [Column("rank", "排名", "int"), Column("name", "部门"),
                                Column("note", "说明"), Column("score", "总分", "score")])
    t.add([1, "国网湖州供电公司", "总分同为94.00分,名次并列第7;按排序项第1项决定先后", 94.0])
    t.add([2, "市经信委", "", 93.5])
    lines = ["".join(x for x, _ in line) for line in render.table_lines(t, columns, render.HEAVY_HEAD)]
    assert max(cell_len(x) for x in lines) <= columns
    assert any("国网湖州供电公司" in x for x in lines)  # at 40 columns only row by row keeps it whole
    assert any("94.00分," in x for x in lines) and any("第7;" in x for x in lines)  # a number with its unit
    assert sum("名次" in x or "并列" in x or "排序项" in x for x in lines) >= 2  # the note wrapped


def test_a_title_wider_than_its_table_wraps_as_rich_wrapped_it() -> None:
    t = Table("t", "县区排名 按总分 " + " " * 30 + "(暂定)" + " " * 40, [Column("rank", "排名", "int")])
    t.add([1])
    doc = Document("d", "", blocks=[t])
    expected = io.StringIO()
    rich_reference(doc, 120, expected)
    lines = render.document_lines(doc, 120, render.HEAVY_HEAD)
    assert "".join("".join(x for x, _ in line) + "\n" for line in lines) == expected.getvalue()


def test_a_text_among_numbers_wraps_evenly_and_reads_from_the_left() -> None:
    t = Table("t", "", [Column("name", "指标"), Column("target", "目标", "value"), Column("n", "数", "int")])
    t.add(["甲", "完成省下达目标任务", 1])
    t.add(["乙", 12.5, 20])
    lines = [line[0][0] for line in render.table_lines(t, 20, render.HEAVY_HEAD)]
    assert max(cell_len(x) for x in lines) <= 20
    first = next(x for x in lines if "完成省下达" in x)
    second = lines[lines.index(first) + 1]
    assert second.strip() == "目标任务"  # 5 + 4 characters, not 8 + 1
    assert cell_len(first[:first.index("完成")]) == cell_len(second[:second.index("目标")])  # from the left
    assert any(x.startswith("乙") and x.split()[1] == "12.5" for x in lines)


def test_a_table_no_layout_fits_is_printed_a_row_at_a_time() -> None:
    t = Table("t", "很宽的表", [Column(f"c{i}", f"第{i}列", "score") for i in range(12)])
    t.add([100.0 + i for i in range(12)])
    lines = [line for line in render.table_lines(t, 40, render.HEAVY_HEAD)]
    texts = ["".join(x for x, _ in line) for line in lines]
    assert max(cell_len(x) for x in texts) <= 40
    assert "第0列:100.00" in texts and "第11列:111.00" in texts


def test_a_wide_table_too_wide_for_the_terminal_keeps_its_box_and_wraps_its_text() -> None:
    t = Table("t", "计算步骤", [Column("step", "步骤", "int"), Column("text", "说明")])
    t.add([1, "规则:增幅类。达到目标得满分;每超 1 个百分点另加分值的 2.5%(超额分封顶为分值的 20%);" * 2])
    lines = ["".join(x for x, _ in line) for line in render.table_lines(t, 120, render.HEAVY_HEAD)]
    assert max(cell_len(x) for x in lines) <= 120
    assert lines[1].startswith("┏") and lines[-1].startswith("└")
    assert "2.5%" in "".join(lines) and "20%)" in "".join(lines)


# ---------------------------------------------------------------- wrapping text


@given(st.text(CHARS, max_size=120), st.integers(8, 60))
def test_wrapping_keeps_every_piece_and_fits(text: str, width: int) -> None:
    lines = render.wrap(text, width)
    assert all(cell_len(x) <= width for x in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_a_number_is_never_split_and_a_closing_mark_never_starts_a_line() -> None:
    text = "附件1得分 99.44;质量效益 29.61,结构调整 12.00,技术创新 19.45,企业培育 14.89,两化融合 8.00,绿色发展 14.74"
    lines = render.wrap(text, 80)
    assert lines == ["附件1得分 99.44;质量效益 29.61,结构调整 12.00,技术创新 19.45,企业培育 14.89,",
                     "两化融合 8.00,绿色发展 14.74"]
    assert not any(x.startswith((",", "、", ")", "。")) for x in render.wrap("甲乙丙丁,戊己、庚辛)。" * 5, 9))


def test_a_list_breaks_after_its_separator_not_between_an_item_and_its_number() -> None:
    text = "已达标 17 项:5 其中:重点技改增幅、6 引进工业“大好高”项目个数、13 新增省级以上企业技术(研发)中心"
    lines = render.wrap(text, 80)
    assert lines[0].endswith("项目个数、") and lines[1].startswith("13 新增")


@pytest.mark.parametrize("tty", [True, False])
@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "0"},
                                 {"TTY_COMPATIBLE": "1"}, {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}])
def test_plain_text_is_written_only_where_rich_would_not_see_a_terminal(
        tty: bool, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    stream = Stream()
    assert render.styled_output(stream) == Console(file=stream).is_terminal
