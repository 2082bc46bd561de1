"""`to_json` is json.dumps(ensure_ascii=False, indent=2, allow_nan=False), byte for byte and error for error."""

from __future__ import annotations

import json
from enum import IntEnum, StrEnum
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hz_assess.export.text import to_json


class Level(IntEnum):
    low = 1


class Name(StrEnum):
    a = "甲"


def reference(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


SCALARS = (st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text() | st.sampled_from([Level.low, Name.a, -0.0, 1e-05, 1e16, 1.5e300, "\x00\x1f\"\\\u2028"]))
KEYS = st.text() | st.sampled_from([1, 2.5, True, None, Name.a])
DATA = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                    | st.dictionaries(KEYS, inner, max_size=4), max_leaves=30)


@settings(max_examples=500)
@given(DATA)
def test_to_json_is_json_dumps(data: object) -> None:
    try:
        expected = reference(data)
    except (ValueError, TypeError) as exc:
        with pytest.raises(type(exc)):
            to_json(data)
        return
    assert to_json(data) == expected


def test_an_object_json_cannot_encode_raises_as_json_dumps_does() -> None:
    with pytest.raises(TypeError):
        to_json({"path": Path("x")})
    with pytest.raises(ValueError):
        to_json([1.0, float("nan")])


def test_the_score_json_is_json_dumps_of_the_model_dump(plan: object) -> None:
    from hz_assess.audit import audit
    from hz_assess.scoring import score
    from hz_assess.workbook import read_actuals

    example = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"
    actuals = read_actuals(plan, example)  # type: ignore[arg-type]
    data = score(plan, actuals, audit(plan, actuals, example.name)).model_dump(mode="json")  # type: ignore[arg-type]
    assert to_json(data) == reference(data)
