"""The platform's JSON answers (`shared.jsonio`, orjson) are the bytes Flask's own provider
would write, for everything the services answer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import uuid

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from shared.jsonio import FastJSONProvider


def _apps() -> tuple[Flask, Flask]:
    fast, standard = Flask("fast"), Flask("standard")
    fast.json = FastJSONProvider(fast)
    standard.json = DefaultJSONProvider(standard)
    standard.json.sort_keys = False
    standard.json.ensure_ascii = False
    return fast, standard


FAST, STANDARD = _apps()


def _answers(payload) -> tuple[bytes, bytes]:
    out = []
    for app in (FAST, STANDARD):
        with app.app_context():
            out.append(jsonify(payload).get_data())
    return out[0], out[1]


_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_text, inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_any_json_value_without_floats_is_written_byte_for_byte_alike(value):
    fast, standard = _answers(value)
    assert fast == standard


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_read_back_as_the_same_number(number):
    fast, standard = _answers({"days": number})
    assert json.loads(fast) == json.loads(standard)


@dataclasses.dataclass
class Point:
    x: int


def test_what_orjson_would_write_its_own_way_goes_through_flasks_rules():
    when = dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)
    payload = {"at": when, "on": dt.date(2026, 11, 23), "id": uuid.UUID(int=7),
               "amount": decimal.Decimal("12.50"), "point": Point(3), "html": Markup("<b>"),
               "big": 2**70, 3: "int key", "汉字": "岗位职责 \u2028 \x01 \"q\" /"}
    fast, standard = _answers(payload)
    assert fast == standard


def test_an_unserialisable_value_fails_as_it_did():
    import pytest

    for app in (FAST, STANDARD):
        with app.app_context(), pytest.raises(TypeError):
            jsonify({"x": object()})
