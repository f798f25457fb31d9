"""Health endpoints for an ASGI app: ``/health/live`` and ``/health/ready``.

    health = agentotel.HealthChecks()
    health.add("database", ping_database, timeout=2)             # required: 503 when it fails
    health.add("search", ping_search, timeout=1, required=False)  # optional: 200 "degraded"
    app.mount("/health", health)                                  # FastAPI / Starlette
    app = health.wrap(app)                                        # any other ASGI app

``live`` answers 200 while the process serves requests. ``ready`` runs every check at once, each a
sync or async callable bounded by its timeout (a sync one runs in a thread); a check passes when it
returns anything but ``False`` and fails when it returns ``False``, raises or times out. Ready is
503 ``fail`` when a required check failed, else 200 ``degraded`` when an optional one failed or the
agent's recent runs trip the degraded rules (success rate under ``min_success_rate`` or mean
duration over ``max_mean_seconds``, over ``RecentRuns.window``, from at least ``MIN_RUNS`` runs),
else 200 ``ok``. Each check's last state is the ``agentotel.health.check.status`` gauge (the rules
are the optional check ``agent_runs``) and each run's duration ``agentotel.health.check.duration``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from ..core import guard
from ..core.instruments import _histogram
from ..core.runtime import get_emitter
from ..semconv import agentotel_names
from ..version import __version__

PASS, FAIL, TIMEOUT = "pass", "fail", "timeout"
OK, DEGRADED = "ok", "degraded"
#: The degraded rules hold only over at least this many recent agent runs.
MIN_RUNS = 5
AGENT_RUNS_CHECK = "agent_runs"


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], Any]
    timeout: float
    required: bool


class HealthChecks:
    """An ASGI app with the liveness and readiness endpoints; register checks with ``add``."""

    def __init__(self, *, min_success_rate: float = 0.9, max_mean_seconds: float = 10.0, meter_provider=None,
                 recent_runs=None):
        self.min_success_rate = min_success_rate
        self.max_mean_seconds = max_mean_seconds
        self._checks: dict[str, Check] = {}
        self._states: dict[str, tuple[bool, bool]] = {}  # name -> (passed, required), last run
        self._recent_runs = recent_runs
        meter = metrics.get_meter("agentotel", __version__, meter_provider)
        name, unit, description = agentotel_names.METRIC_HEALTH_CHECK_STATUS
        meter.create_observable_gauge(name, callbacks=[self._observe], unit=unit, description=description)
        self._duration = _histogram(meter, agentotel_names.METRIC_HEALTH_CHECK_DURATION, agentotel_names.HEALTH_CHECK_BUCKETS)

    def add(self, name: str, check: Callable[[], Any], *, timeout: float = 2.0, required: bool = True) -> None:
        """Register ``check`` (sync or async, no arguments) under ``name``."""
        if not callable(check) or not name or timeout <= 0:
            raise ValueError(f"health check {name!r}: a name, a callable and a timeout > 0 are needed")
        self._checks[name] = Check(name, check, float(timeout), bool(required))

    def check(self, name: str, *, timeout: float = 2.0, required: bool = True):
        """``add`` as a decorator: ``@health.check("database")``."""
        def register(fn):
            self.add(name, fn, timeout=timeout, required=required)
            return fn
        return register

    # --------------------------------------------------------------------------- readiness
    async def _run(self, check: Check) -> dict:
        started = time.perf_counter()
        state, error = PASS, None
        try:
            if inspect.iscoroutinefunction(check.run):
                result = await asyncio.wait_for(check.run(), check.timeout)
            else:
                result = await asyncio.wait_for(asyncio.to_thread(check.run), check.timeout)
                if inspect.isawaitable(result):
                    result = await asyncio.wait_for(result, check.timeout)
            if result is False:
                state = FAIL
        except asyncio.TimeoutError:
            state, error = TIMEOUT, f"no answer within {check.timeout:g}s"
        except Exception as exc:  # noqa: BLE001 - a failing check is a result, not an error of ours
            state, error = FAIL, f"{type(exc).__name__}: {exc}"[:300]
        seconds = time.perf_counter() - started
        result = {"status": state, "required": check.required, "duration_seconds": round(seconds, 4)}
        if error:
            result["error"] = error
        self._note(check.name, state, check.required, seconds)
        return result

    def _note(self, name: str, state: str, required: bool, seconds: float | None) -> None:
        with guard.contained("health"):
            self._states[name] = (state == PASS, required)
            if seconds is not None:
                self._duration.record(seconds, {agentotel_names.HEALTH_CHECK_NAME: name, agentotel_names.HEALTH_CHECK_STATE: state,
                                                agentotel_names.HEALTH_CHECK_REQUIRED: str(required).lower()})

    def _agent_runs(self) -> dict:
        runs = self._recent_runs
        if runs is None:
            try:
                runs = get_emitter().agent_runs
            except Exception as exc:  # noqa: BLE001
                guard.report("health", exc)
                return {"status": PASS, "required": False, "runs": 0}
        stats = runs.stats()
        result: dict[str, Any] = {"status": PASS, "required": False, "runs": stats.runs,
                                  "success_rate": stats.success_rate, "mean_seconds": stats.mean_seconds}
        if stats.runs >= MIN_RUNS and (stats.success_rate < self.min_success_rate
                                       or stats.mean_seconds > self.max_mean_seconds):
            result["status"] = FAIL
            result["error"] = (f"success rate {stats.success_rate:.0%} (minimum {self.min_success_rate:.0%}), "
                               f"mean {stats.mean_seconds:.1f}s (maximum {self.max_mean_seconds:g}s)")
        self._note(AGENT_RUNS_CHECK, result["status"], False, None)
        return result

    async def ready(self) -> tuple[int, dict]:
        """Run every check: (HTTP status, body)."""
        checks = list(self._checks.values())
        results = await asyncio.gather(*(self._run(c) for c in checks))
        body_checks = {c.name: r for c, r in zip(checks, results)}
        body_checks.setdefault(AGENT_RUNS_CHECK, self._agent_runs())
        failed = [r for r in body_checks.values() if r["status"] != PASS]
        if any(r["required"] for r in failed):
            return 503, {"status": FAIL, "checks": body_checks}
        return 200, {"status": DEGRADED if failed else OK, "checks": body_checks}

    def _observe(self, options: CallbackOptions):
        return [Observation(1 if passed else 0, {agentotel_names.HEALTH_CHECK_NAME: name,
                                                 agentotel_names.HEALTH_CHECK_REQUIRED: str(required).lower()})
                for name, (passed, required) in list(self._states.items())]

    # --------------------------------------------------------------------------- ASGI
    async def __call__(self, scope, receive, send) -> None:
        """Serve ``…/live`` and ``…/ready`` (whatever the mount prefix); 404 for anything else."""
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                pass
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        endpoint = scope.get("path", "").rstrip("/").rsplit("/", 1)[-1]
        if scope.get("method") not in ("GET", "HEAD"):
            status, body = 405, {"error": "method not allowed"}
        elif endpoint == "live":
            status, body = 200, {"status": OK}
        elif endpoint == "ready":
            status, body = await self.ready()
        else:
            status, body = 404, {"error": "not found"}
        payload = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else payload})

    def wrap(self, app, prefix: str = "/health"):
        """``app`` with ``{prefix}/live`` and ``{prefix}/ready`` served in front of it."""
        prefix = prefix.rstrip("/")
        paths = {f"{prefix}/live", f"{prefix}/ready"}

        async def wrapped(scope, receive, send):
            if scope["type"] == "http" and scope.get("path", "").rstrip("/") in paths:
                await self(scope, receive, send)
            else:
                await app(scope, receive, send)
        return wrapped
