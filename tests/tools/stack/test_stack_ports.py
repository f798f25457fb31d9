"""The stack's port choices: documented defaults and distinct free loopback ports."""

from __future__ import annotations

import socket
from pathlib import Path

from agentotel_tools.stack import Ports
from agentotel_tools.stack.components import component_specs, endpoints
from agentotel_tools.stack.layout import Layout
from agentotel_tools.stack.ports import HOST


def test_free_ports_are_distinct_and_bindable():
    """Every component gets its own port that a server can bind on loopback right away."""
    ports = Ports.free()
    values = list(ports.to_dict().values())
    assert len(set(values)) == len(values)
    for port in values:
        with socket.socket() as sock:
            sock.bind((HOST, port))


def test_default_ports_keep_otlp_for_the_collector():
    """With the documented defaults, apps send OTLP to 4317/4318 and Jaeger's receiver moves aside."""
    ports = Ports()
    assert (ports.collector_otlp_grpc, ports.collector_otlp_http) == (4317, 4318)
    assert ports.jaeger_otlp_grpc not in (4317, 4318)
    assert ports.prometheus_http == 9090 and ports.jaeger_query_http == 16686 and ports.victorialogs_http == 9428
    values = list(ports.to_dict().values())
    assert len(set(values)) == len(values)


def test_ports_round_trip_through_the_state_file_form():
    """Ports saved in state.json come back unchanged (unknown keys ignored)."""
    ports = Ports.free()
    assert Ports.from_dict({**ports.to_dict(), "retired_port": 1}) == ports


def test_busy_reports_a_port_something_listens_on():
    """A port taken by another listener is reported before a component would fail to bind it."""
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        taken = listener.getsockname()[1]
        ports = Ports.from_dict({**Ports.free().to_dict(), "prometheus_http": taken})
        assert ("prometheus_http", taken) in ports.busy()


def test_every_endpoint_and_component_uses_only_loopback(tmp_path):
    """Nothing the stack starts or advertises listens beyond 127.0.0.1."""
    ports = Ports.free()
    for value in endpoints(ports).values():
        assert value.removeprefix("http://").startswith(f"{HOST}:")
    specs = component_specs(Layout.discover(tmp_path, repo=Path(__file__).resolve().parents[3]), ports)
    for spec in specs.values():
        for arg in spec.argv:
            if "listen" in arg.lower() or arg.endswith(tuple(str(p) for p in ports.to_dict().values())):
                assert HOST in arg, arg
        for key, value in spec.env.items():
            if key.endswith("_ENDPOINT"):
                assert HOST in value, (key, value)
