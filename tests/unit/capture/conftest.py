"""Capture fixtures: recorded provider JSON, and the instrumentor hooked into httpx and httpx2 with
the in-memory telemetry of ``tests/unit/conftest.py``. Requests go to an httpx ``MockTransport``:
these tests check capture's own logic; tests/integration/test_capture_sdks.py drives real SDKs
against a real server."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from agentotel.capture import LLMInstrumentor

RECORDED = Path(__file__).with_name("recorded")
BASE_URLS = {"http://llm.test": "openai", "http://anthropic.test": "anthropic", "http://gemini.test": "gcp.gemini"}


def recorded_json(name: str):
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def recorded_bytes(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


@pytest.fixture
def instrument(telemetry):
    """Instrument with the test telemetry's emitter (the process-wide one); uninstrument after."""
    instrumentor = LLMInstrumentor()
    instrumentor.instrument(base_urls=BASE_URLS)
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture(params=["httpx", "httpx2"])
def httpx_module(request):
    """Each capture behaviour holds for both httpx and its fork httpx2."""
    return importlib.import_module(request.param)


class ChunkStream:
    """A response body delivered in the given chunks; fails with ``error`` after ``fail_after`` chunks."""

    def __init__(self, chunks, error: BaseException | None = None, fail_after: int | None = None):
        self.chunks = list(chunks)
        self.error = error
        self.fail_after = fail_after
        self.closed = False

    def __iter__(self):
        for index, chunk in enumerate(self.chunks):
            if self.fail_after is not None and index == self.fail_after:
                raise self.error
            yield chunk

    async def __aiter__(self):
        for chunk in self:
            yield chunk

    def close(self):
        self.closed = True

    async def aclose(self):
        self.closed = True


def stream_class(module):
    """``ChunkStream`` as a byte stream of ``module`` (httpx only iterates its own stream classes)."""
    return type("ModuleChunkStream", (ChunkStream, module.SyncByteStream, module.AsyncByteStream), {})


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]
