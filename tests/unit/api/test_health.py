"""The health router over real ASGI requests: liveness, readiness, timeouts, degraded rules, metrics."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI

import agentotel
from agentotel.core.runs import RecentRuns


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")


def _status(telemetry) -> dict:
    return {(a["agentotel.health.check.name"], a["agentotel.health.check.required"]): p.value
            for a, p in telemetry.points("agentotel.health.check.status")}


@pytest.fixture
def health(telemetry):
    return agentotel.HealthChecks(meter_provider=telemetry.meter_provider, recent_runs=RecentRuns())


async def test_mounted_in_fastapi_all_checks_pass(health, telemetry):
    """Mounted under /health in FastAPI: live is 200, ready runs sync and async checks and is 200 ok."""
    health.add("database", lambda: True)

    async def search():
        await asyncio.sleep(0)

    health.add("search", search, required=False)
    app = FastAPI()
    app.mount("/health", health)
    async with _client(app) as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["status"] == "ok"
    assert {k: v["status"] for k, v in ready.json()["checks"].items()} == {
        "database": "pass", "search": "pass", "agent_runs": "pass"}
    assert _status(telemetry) == {("database", "true"): 1, ("search", "false"): 1, ("agent_runs", "false"): 1}


async def test_failing_required_check_is_503(health, telemetry):
    """A required check that raises makes ready answer 503 fail, with the error; its gauge reads 0."""
    def database():
        raise ConnectionError("refused")

    health.add("database", database)
    async with _client(health.wrap(FastAPI())) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "fail" and body["checks"]["database"]["error"] == "ConnectionError: refused"
    assert _status(telemetry)[("database", "true")] == 0


async def test_failing_optional_check_is_degraded(health, telemetry):
    """An optional check returning False leaves ready at 200 with status degraded."""
    health.add("database", lambda: True)
    health.add("cache", lambda: False, required=False)
    async with _client(health.wrap(FastAPI())) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["cache"]["status"] == "fail"
    assert _status(telemetry)[("cache", "false")] == 0


async def test_hanging_checks_time_out(health, telemetry):
    """A sync and an async check that hang are cut at their timeouts; ready answers in about that time."""
    health.add("slow_sync", lambda: time.sleep(3), timeout=0.2)

    async def slow_async():
        await asyncio.sleep(3)

    health.add("slow_async", slow_async, timeout=0.2, required=False)
    started = time.perf_counter()
    async with _client(health) as client:
        ready = await client.get("/ready")
    elapsed = time.perf_counter() - started
    assert ready.status_code == 503 and elapsed < 2
    checks = ready.json()["checks"]
    assert checks["slow_sync"]["status"] == "timeout" and checks["slow_async"]["status"] == "timeout"
    states = {(a["agentotel.health.check.name"], a["agentotel.health.check.state"]): p.count
              for a, p in telemetry.points("agentotel.health.check.duration")}
    assert states == {("slow_sync", "timeout"): 1, ("slow_async", "timeout"): 1}


async def test_agent_run_rules_degrade(telemetry):
    """Recent runs under 90% success or over 10 s mean make ready degraded (the optional agent_runs check)."""
    runs = RecentRuns()
    health = agentotel.HealthChecks(meter_provider=telemetry.meter_provider, recent_runs=runs)
    for ok in (True,) * 8 + (False,) * 2:
        runs.add(ok, 1.0)
    async with _client(health) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["agent_runs"]["success_rate"] == 0.8
    slow = RecentRuns()
    for _ in range(5):
        slow.add(True, 12.0)
    health = agentotel.HealthChecks(meter_provider=telemetry.meter_provider, recent_runs=slow)
    async with _client(health) as client:
        assert (await client.get("/health/ready")).json()["status"] == "degraded"


async def test_agent_runs_come_from_the_emitter(telemetry):
    """By default the rules read the invoke_agent operations the emitter ended."""
    health = agentotel.HealthChecks(meter_provider=telemetry.meter_provider)
    for _ in range(5):
        with pytest.raises(RuntimeError), agentotel.agent("support"):
            raise RuntimeError("tool down")
    async with _client(health) as client:
        body = (await client.get("/health/ready")).json()
    assert body["status"] == "degraded" and body["checks"]["agent_runs"]["success_rate"] == 0


async def test_other_paths_and_methods(health):
    """Wrapped, other paths reach the app; unknown health paths are 404 and POST is 405."""
    app = FastAPI()

    @app.get("/chat")
    async def chat():
        return {"ok": True}

    async with _client(health.wrap(app)) as client:
        assert (await client.get("/chat")).json() == {"ok": True}
        assert (await client.post("/health/ready")).status_code == 405
    async with _client(health) as client:
        assert (await client.get("/nope")).status_code == 404


def test_bad_registration_is_refused(health):
    """A check without a callable or with a timeout <= 0 is refused at registration, with its name."""
    with pytest.raises(ValueError, match="'db'"):
        health.add("db", None)
    with pytest.raises(ValueError):
        health.add("db", lambda: True, timeout=0)
