"""A small client for Jaeger's HTTP query API (the one its UI uses): services, search, one trace."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class JaegerError(RuntimeError):
    """Jaeger could not be reached or answered with an error."""


class TraceNotFound(JaegerError):
    pass


class JaegerClient:
    def __init__(self, base_url: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict:
        query = "?" + urllib.parse.urlencode(params) if params else ""
        url = f"{self.base_url}{path}{query}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise TraceNotFound(f"not found: {url}") from None
            raise JaegerError(f"{url}: HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            raise JaegerError(f"cannot reach Jaeger at {self.base_url}: {getattr(error, 'reason', error)}") from None
        except ValueError:
            raise JaegerError(f"{url}: the answer is not JSON") from None
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            raise JaegerError("; ".join(str(e.get("msg", e)) for e in errors))
        return body

    def services(self) -> list[str]:
        return sorted(self._get("/api/services").get("data") or [])

    def find_traces(
        self,
        service: str,
        lookback_s: float,
        limit: int,
        operation: str | None = None,
        tags: dict[str, str] | None = None,
        end_s: float | None = None,
    ) -> list[dict]:
        """Traces with a span of SERVICE that started in the last LOOKBACK_S seconds (raw JSON)."""
        end = time.time() if end_s is None else end_s
        params: dict[str, Any] = {
            "service": service,
            "start": int((end - lookback_s) * 1_000_000),
            "end": int(end * 1_000_000),
            "limit": limit,
        }
        if operation:
            params["operation"] = operation
        if tags:
            params["tags"] = json.dumps(tags)
        return self._get("/api/traces", params).get("data") or []

    def get_trace(self, trace_id: str) -> dict:
        data = self._get(f"/api/traces/{trace_id}").get("data") or []
        if not data:
            raise TraceNotFound(f"trace {trace_id} not found")
        return data[0]
