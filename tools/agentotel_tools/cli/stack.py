"""`agentotel stack up|status|logs|down`: the local collector, Jaeger, VictoriaLogs and Prometheus."""

from __future__ import annotations

import argparse
import sys

from ..stack import COMPONENTS, Layout, LayoutError, Ports, Stack, StackError
from ..stack.build import BuildError

#: What `up` prints, in this order: label, endpoint key.
_ENDPOINT_LABELS = (
    ("OTLP gRPC (send here)", "collector_otlp_grpc"),
    ("OTLP HTTP (send here)", "collector_otlp_http"),
    ("Jaeger (traces)", "jaeger_query_url"),
    ("Prometheus (metrics)", "prometheus_url"),
    ("VictoriaLogs (logs)", "victorialogs_url"),
    ("collector health", "collector_health_url"),
    ("collector metrics", "collector_metrics_url"),
    ("app metrics (exporter)", "collector_prometheus_exporter_url"),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stack",
        help="run the local observability stack (collector, Jaeger, VictoriaLogs, Prometheus)",
        description="Run the local observability stack on loopback, without Docker.",
    )
    parser.add_argument("--run-dir", help="the stack's state, logs and data (default .agentotel/stack in the repository)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    up = actions.add_parser("up", help="build what is missing, start everything and wait until healthy")
    up.add_argument("--free-ports", action="store_true", help="use free ports instead of the documented defaults")
    up.add_argument("--no-build", action="store_true", help="do not run the build scripts; use the binaries as they are")
    up.add_argument("--timeout", type=float, default=90.0, help="seconds each component may take to become healthy")
    up.set_defaults(func=cmd_up)

    status = actions.add_parser("status", help="show each component's pid and health")
    status.set_defaults(func=cmd_status)

    logs = actions.add_parser("logs", help="show a component's log (all components without COMPONENT)")
    logs.add_argument("component", nargs="?", choices=COMPONENTS, metavar="COMPONENT", help=", ".join(COMPONENTS))
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    logs.add_argument("-n", "--lines", type=int, default=50, help="lines to show from the end (default 50)")
    logs.set_defaults(func=cmd_logs)

    down = actions.add_parser("down", help="stop every component")
    down.add_argument("--purge", action="store_true", help="also delete logs and stored data")
    down.set_defaults(func=cmd_down)


def _stack(args: argparse.Namespace, ports: Ports | None = None) -> Stack:
    return Stack(Layout.discover(args.run_dir), ports=ports)


def _fail(message: str) -> int:
    print(f"agentotel stack: {message}", file=sys.stderr)
    return 1


def print_endpoints(endpoints: dict[str, str], out=None) -> None:
    width = max(len(label) for label, _ in _ENDPOINT_LABELS)
    for label, key in _ENDPOINT_LABELS:
        print(f"  {label:<{width}}  {endpoints[key]}", file=out)


def cmd_up(args: argparse.Namespace) -> int:
    try:
        stack = _stack(args)
        running = [name for name in COMPONENTS if stack.pid(name) is not None]
        if args.free_ports:
            if running:
                return _fail(f"already running ({', '.join(running)}) on the ports in its state file; run `agentotel stack down` first")
            stack = _stack(args, Ports.free())
        elif not running:
            # A fresh start uses the documented ports, not those of an earlier --free-ports run.
            stack = _stack(args, Ports())
        endpoints = stack.up(build=not args.no_build, timeout=args.timeout)
    except (StackError, BuildError, LayoutError) as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted")
    print("agentotel stack is up:")
    print_endpoints(endpoints)
    print(f"  logs: agentotel stack logs [COMPONENT] -f   (files in {stack.layout.run_dir / 'logs'})")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    try:
        stack = _stack(args)
    except LayoutError as error:
        return _fail(str(error))
    statuses = stack.status()
    print(f"{'COMPONENT':<14} {'STATE':<10} {'PID':>7}  HEALTH CHECK")
    for status in statuses:
        pid = str(status.pid) if status.pid else "-"
        print(f"{status.name:<14} {status.state:<10} {pid:>7}  {status.health_url}")
    if any(status.pid for status in statuses):
        print("endpoints:")
        print_endpoints(stack.endpoints)
    return 0 if all(status.healthy for status in statuses) else 1


def cmd_logs(args: argparse.Namespace) -> int:
    try:
        stack = _stack(args)
    except LayoutError as error:
        return _fail(str(error))
    names = [args.component] if args.component else list(COMPONENTS)
    prefix = len(names) > 1
    for name in names:
        text = stack.log_tail(name, args.lines)
        if prefix:
            print(f"==> {name} ({stack.layout.log_file(name)})")
        if text:
            print(text)
    if args.follow:
        try:
            for name, line in stack.follow_logs(names):
                print(f"[{name}] {line}" if prefix else line, flush=True)
        except KeyboardInterrupt:
            pass
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    try:
        stack = _stack(args)
        results = stack.down()
        for name, result in results.items():
            print(f"{name}: {result}")
        if args.purge:
            stack.purge()
            print(f"removed {stack.layout.run_dir}")
    except (StackError, LayoutError) as error:
        return _fail(str(error))
    return 0
