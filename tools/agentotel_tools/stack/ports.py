"""The stack's loopback ports: the documented defaults, or free ports for tests.

Every component listens on ``HOST`` only. The defaults are the ports each project documents
(OTLP 4317/4318, Prometheus 9090, ...), except Jaeger's OTLP receiver, which moves to 14317 so
that the agentotel collector keeps 4317.
"""

from __future__ import annotations

import socket
from contextlib import ExitStack
from dataclasses import asdict, dataclass, fields

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Ports:
    collector_otlp_grpc: int = 4317
    collector_otlp_http: int = 4318
    collector_health: int = 13133
    collector_prometheus: int = 8889  # prometheus exporter: the applications' metrics
    collector_telemetry: int = 8888  # the collector's own otelcol_* metrics
    collector_pprof: int = 1777
    collector_zpages: int = 55679
    jaeger_otlp_grpc: int = 14317
    jaeger_query_http: int = 16686
    jaeger_query_grpc: int = 16685
    victorialogs_http: int = 9428
    prometheus_http: int = 9090

    @classmethod
    def free(cls) -> "Ports":
        """A distinct free loopback port for every field.

        All sockets stay bound until every port is chosen, so no two fields get the same port.
        """
        names = [f.name for f in fields(cls)]
        with ExitStack() as stack:
            chosen = {}
            for name in names:
                sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                sock.bind((HOST, 0))
                chosen[name] = sock.getsockname()[1]
        return cls(**chosen)

    @classmethod
    def from_dict(cls, data: dict) -> "Ports":
        known = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def busy(self) -> list[tuple[str, int]]:
        """The fields whose port something on this machine already listens on."""
        taken = []
        for name, port in self.to_dict().items():
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.settimeout(0.2)
                if sock.connect_ex((HOST, port)) == 0:
                    taken.append((name, port))
        return taken


def hostport(port: int) -> str:
    return f"{HOST}:{port}"


def url(port: int, path: str = "") -> str:
    return f"http://{HOST}:{port}{path}"
