"""The one client of Prometheus' HTTP query API (instant and range queries), standard library only.

The report and the demo guide read Prometheus through it. Every failure (unreachable, HTTP error,
a query Prometheus rejects) raises ``PrometheusError``; NaN and infinite samples are returned as
they are, and ``scalar`` and ``by_label`` leave them out.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Optional


class PrometheusError(RuntimeError):
    """Prometheus could not be reached or rejected a query."""


@dataclass(frozen=True)
class Sample:
    labels: dict
    value: float


@dataclass(frozen=True)
class Series:
    labels: dict
    points: list  # [(unix seconds, value)]


def _value(text: str) -> float:
    return float(text)  # "NaN", "+Inf" parse too


class PrometheusClient:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, params: dict) -> dict:
        body = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(self.url + path, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.load(response)
        except urllib.error.HTTPError as error:
            try:
                payload = json.load(error)
            except ValueError:
                raise PrometheusError(f"{self.url}{path}: HTTP {error.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise PrometheusError(f"cannot query Prometheus at {self.url}: {error}") from None
        if payload.get("status") != "success":
            raise PrometheusError(f"query failed: {payload.get('error', payload)}\n{params.get('query', '')}")
        return payload["data"]

    def query(self, expr: str, at: Optional[datetime] = None) -> list:
        """An instant query at ``at`` (default: Prometheus' now): the samples of the resulting vector
        (a scalar is one sample)."""
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at.timestamp():.3f}"
        data = self._post("/api/v1/query", params)
        if data["resultType"] == "scalar":
            return [Sample({}, _value(data["result"][1]))]
        if data["resultType"] != "vector":
            raise PrometheusError(f"expected a vector, got {data['resultType']}: {expr}")
        return [Sample(item["metric"], _value(item["value"][1])) for item in data["result"]]

    def query_range(self, expr: str, start: datetime, end: datetime, step_seconds: float) -> list:
        data = self._post("/api/v1/query_range", {
            "query": expr, "start": f"{start.timestamp():.3f}", "end": f"{end.timestamp():.3f}",
            "step": f"{step_seconds:g}",
        })
        return [Series(item["metric"], [(float(t), _value(v)) for t, v in item["values"]]) for item in data["result"]]

    def scalar(self, expr: str, at: datetime) -> Optional[float]:
        """The single value of an aggregated query, or None when it has no data (or is NaN)."""
        samples = self.query(expr, at)
        if not samples:
            return None
        if len(samples) > 1:
            raise PrometheusError(f"expected one sample, got {len(samples)}: {expr}")
        value = samples[0].value
        return None if math.isnan(value) or math.isinf(value) else value

    def by_label(self, expr: str, at: datetime, label: str) -> dict:
        """``{label value: sample value}`` of a query aggregated by ``label``; NaN samples dropped."""
        return {s.labels.get(label, ""): s.value for s in self.query(expr, at)
                if not (math.isnan(s.value) or math.isinf(s.value))}
