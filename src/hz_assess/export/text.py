"""Documents as JSON, CSV and Markdown text. Renders views; computes nothing.

CSV: each table (and text block) is preceded by its title on a line of its own and
separated from the next by a blank line, so a block pastes into a sheet as it is.
Text cells a spreadsheet would run as a formula (= + - @, their full-width forms,
tab, CR) get a leading apostrophe; numbers, even negative, stay numbers.
Markdown: every piece of text is escaped, so nothing typed into a workbook becomes
HTML, a link or an image in a briefing; a table's notes are list items, each on its own.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import cast

from hz_assess.models import Assessment
from hz_assess.views import Chart, Document, Table, Text, show

FORMULA_PREFIXES = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")
NUMERIC_KINDS = ("int", "score", "value", "percent", "points")


def to_json(data: object) -> str:
    """Strict JSON (no NaN or Infinity), UTF-8 text as it is, indented for people who look.

    Exactly `json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)`. The standard
    library's indented encoder is its pure-Python one (the C encoder does not indent): ~9 ms
    for a `score`. Plain data (dicts with text keys, lists, text, numbers, true/false/null) is
    encoded here with its C string escaper in a third of the time; anything else, and every
    error, is left to json.dumps itself, so the output and the exceptions are the same.
    """
    out: list[str] = []
    try:
        _indented(data, out, "\n")
    except (_NotPlain, RecursionError):
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    return "".join(out)


class _NotPlain(Exception):
    """Data the fast encoder leaves to json.dumps (other types, non-text keys, NaN, infinities)."""


_escape = json.encoder.encode_basestring  # the C escaper json.dumps(ensure_ascii=False) uses


def _scalar(o: object) -> str | None:
    """The JSON of a str, int, float, bool or None (exact types); None for anything else."""
    t = type(o)
    if t is str:
        return _escape(cast(str, o))
    if t is float:
        if o != o or o in (_INF, -_INF):
            raise _NotPlain
        return float.__repr__(cast(float, o))
    if t is int:
        return int.__repr__(cast(int, o))
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    return None


def _indented(o: object, out: list[str], newline: str) -> None:
    """Append the JSON of `o` at the indentation `newline` ("\n" + spaces) to `out`.

    Exact types only: a subclass (an IntEnum, a str Enum) is json.dumps's to encode.
    """
    text = _scalar(o)
    if text is not None:
        out.append(text)
        return
    t = type(o)
    if t is dict:
        if not o:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, value in o.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                raise _NotPlain
            text = _scalar(value)
            if text is not None:
                out.append(f"{separator}{_escape(key)}: {text}")
            else:
                out.append(f"{separator}{_escape(key)}: ")
                _indented(value, out, inner)
            separator = "," + inner
        out.append(newline + "}")
    elif t is list or t is tuple:
        if not o:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for value in o:  # type: ignore[attr-defined]
            text = _scalar(value)
            if text is not None:
                out.append(separator + text)
            else:
                out.append(separator)
                _indented(value, out, inner)
            separator = "," + inner
        out.append(newline + "]")
    else:
        raise _NotPlain


_INF = float("inf")


def render_json(a: Assessment) -> str:
    """The JSON of an assessment (SPEC §5); `score --format json` prints exactly this."""
    return to_json(a.model_dump(mode="json"))


def neutralise(text: str) -> str:
    """A text cell that starts like a formula gets a leading apostrophe; a plain number ("-100") does not."""
    if not text.startswith(FORMULA_PREFIXES):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


def _csv_rows(t: Table) -> list[list[str]]:
    rows = [[neutralise(c.title) for c in t.columns]]
    for values, texts in zip(t.rows, t.texts(), strict=True):
        rows.append([
            text if col.kind in NUMERIC_KINDS and isinstance(value, int | float) else neutralise(text)
            for value, text, col in zip(values, texts, t.columns, strict=True)
        ])
    return rows


def single_table(doc: Document) -> Table | None:
    """The document's one table when it holds nothing else: written bare, ready to load or paste."""
    blocks = [b for b in doc.blocks if not isinstance(b, Chart)]
    return blocks[0] if len(blocks) == 1 and isinstance(blocks[0], Table) else None


def render_csv(doc: Document) -> str:
    """Every table and text block of the document, each under its title; a lone table bare.

    CRLF line ends, as Excel writes them.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    lone = single_table(doc)
    if lone is not None:
        writer.writerows(_csv_rows(lone))
        return buf.getvalue()
    first = True
    for block in doc.blocks:
        if isinstance(block, Chart):
            continue
        if not first:
            writer.writerow([])
        first = False
        if block.title:
            writer.writerow([neutralise(block.title)])
        if isinstance(block, Table):
            writer.writerows(_csv_rows(block))
            writer.writerows([[neutralise(note)] for note in block.notes])
        else:
            writer.writerows([[neutralise(line)] for line in block.lines])
    return buf.getvalue()


# backslash escapes (CommonMark: any ASCII punctuation) for what could start markup in a line
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~<>&])")
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+=#])")


def md_escape(text: str, *, block: bool = False) -> str:
    """Text that Markdown shows as it is: no HTML, links, images, emphasis or table breaks.

    `block`: the text starts a line, so a leading "-", "1." or "#" must not start a list or heading.
    """
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # GFM turns bare URLs into links; an escaped colon or dot keeps them plain text
    text = text.replace("://", "\\://").replace("www.", "www\\.")
    if block:
        text = _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)
    return text


def md_table(t: Table) -> str:
    lines = ["| " + " | ".join(md_escape(c.title) for c in t.columns) + " |",
             "|" + "|".join("---:" if c.kind in NUMERIC_KINDS else "---" for c in t.columns) + "|"]
    lines += ["| " + " | ".join(md_escape(v) for v in row) + " |" for row in t.texts()]
    return "\n".join(lines)


def render_md(doc: Document) -> str:
    """The document as Markdown: title, provenance, each block under its heading; a lone table bare."""
    lone = single_table(doc)
    if lone is not None:
        return md_table(lone) + "\n"
    out = [f"# {md_escape(doc.title)}", ""]
    if doc.meta:
        out += [f"- {md_escape(line, block=True)}" for line in doc.meta] + [""]
    for block in doc.blocks:
        if isinstance(block, Chart):
            continue
        if block.title:
            out += [f"## {md_escape(block.title)}", ""]
        if isinstance(block, Table):
            # a note is a list item: consecutive plain lines would run together into one paragraph
            out += [md_table(block), ""] if block.rows else []
            out += [f"- {md_escape(note, block=True)}" for note in block.notes]
            if block.notes:
                out.append("")
        elif isinstance(block, Text):
            out += [f"- {md_escape(line, block=True)}" if len(block.lines) > 1 else md_escape(line, block=True)
                    for line in block.lines]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


__all__ = ["md_escape", "neutralise", "render_csv", "render_json", "render_md", "show", "single_table", "to_json"]
