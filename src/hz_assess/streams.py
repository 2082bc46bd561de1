"""Output that cannot crash on a GBK console or redirect.

A Chinese Windows console pipe or file (code page 936) or `PYTHONIOENCODING=gbk`
gives stdout and stderr an encoding that lacks some characters we print, such as
"−" (U+2212) in the scoring steps; Python then raises UnicodeEncodeError halfway
through the output. `protect_streams()` gives such streams an error handler that
writes a look-alike the encoding has ("−" -> "-", "✓" -> "√") and "?" for anything
else. Streams whose encoding covers all of Unicode (UTF-8/16/32, GB18030) are left
exactly as they are, so their output does not change by a single byte.
"""

from __future__ import annotations

import codecs
import sys

ERROR_HANDLER = "hz_assess.lookalike"

# Characters outside GBK that we print, or that plausibly arrive from workbooks and
# YAML, with the closest text GBK has. Every key is missing from GBK and every value
# is in it (tests/test_cli_zh.py checks both, and that every non-GBK character in our
# sources and data has an entry here).
LOOKALIKES: dict[str, str] = {
    "\u2212": "-",  # − minus sign
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2713": "√",  # ✓ check mark
    "\u2714": "√",  # ✔ heavy check mark
    "\u2717": "×",  # ✗ ballot x
    "\u2718": "×",  # ✘ heavy ballot x
    "\u2022": "·",  # • bullet
    "\u2027": "·",  # ‧ hyphenation point
    "\u2219": "·",  # ∙ bullet operator
    "\u22c5": "·",  # ⋅ dot operator
    "\u30fb": "·",  # ・ katakana middle dot
    "\u00b9": "^1",  # ¹
    "\u00b2": "^2",  # ²
    "\u00b3": "^3",  # ³
    "\u00bc": "1/4",  # ¼
    "\u00bd": "1/2",  # ½
    "\u00be": "3/4",  # ¾
    "\u00b5": "μ",  # µ micro sign -> Greek mu
    "\u00a5": "￥",  # ¥ yen/yuan sign -> fullwidth yuan sign
    "\u20ac": "EUR",  # €
    "\u00a9": "(C)",  # ©
    "\u00ae": "(R)",  # ®
    "\u2122": "TM",  # ™
    "\u26a0": "!",  # ⚠ warning sign
    "\u00a0": " ",  # no-break space
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow no-break space
    "\u200b": "",  # zero-width space
    "\ufeff": "",  # zero-width no-break space (BOM)
}

# Codecs that can encode every character: nothing to protect.
_COMPLETE_CODECS = frozenset({
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "gb18030",
})

# Error handlers Python picks by itself (stdout: strict, stderr: backslashreplace). Any
# other handler was chosen by the user, e.g. PYTHONIOENCODING=gbk:replace, and is kept.
_DEFAULT_HANDLERS = frozenset({"strict", "backslashreplace"})


def _lookalike(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a look-alike the target encoding has, else "?", per character."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        text = LOOKALIKES.get(ch, "?")
        try:
            text.encode(exc.encoding)
        except UnicodeEncodeError:
            text = "?"
        out.append(text)
    return "".join(out), exc.end


def register_handler() -> None:
    """Register the look-alike error handler with the codec machinery (idempotent)."""
    try:
        codecs.lookup_error(ERROR_HANDLER)
    except LookupError:
        codecs.register_error(ERROR_HANDLER, _lookalike)


def encodes_everything(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in _COMPLETE_CODECS
    except LookupError:
        return False


def protect(stream: object) -> None:
    """Give one text stream the look-alike handler if its encoding needs it (idempotent).
    A stream without `reconfigure` (StringIO) never encodes: nothing to protect."""
    encoding = getattr(stream, "encoding", None)
    reconfigure = getattr(stream, "reconfigure", None)
    if not encoding or reconfigure is None or encodes_everything(encoding):
        return
    if getattr(stream, "errors", "strict") not in _DEFAULT_HANDLERS:
        return
    register_handler()
    reconfigure(errors=ERROR_HANDLER)


def protect_streams() -> None:
    """Call once at start-up, before anything is printed: makes sys.stdout and sys.stderr GBK-safe."""
    protect(sys.stdout)
    protect(sys.stderr)
