"""`agentotel traces` lists recent traces; `agentotel trace TRACE_ID` prints one as a tree.

Both read Jaeger's HTTP query API: ``--jaeger-url``, else ``AGENTOTEL_JAEGER_URL``, else the
running local stack's Jaeger (from its state file), else http://127.0.0.1:16686.
"""

from __future__ import annotations

import argparse
import json
import sys

from .. import settings
from ..settings import AGENTOTEL_JAEGER_URL, DEFAULT_JAEGER_URL
from ..stack.jaeger import JaegerClient, JaegerError, TraceNotFound
from ..stack.traceview import TraceFilter, normalize_trace_id, parse_duration, parse_trace, render_list, render_tree, select

#: When filters run here rather than in Jaeger, ask Jaeger for this many times the limit.
_OVERFETCH = 10
_MAX_FETCH = 1500


def jaeger_url(explicit: str | None) -> str:
    from ..stack.manager import backend_url

    return backend_url(explicit, settings.jaeger_url(), "jaeger_query_url", DEFAULT_JAEGER_URL)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    url_help = f"Jaeger query URL (default: ${AGENTOTEL_JAEGER_URL}, the running local stack, {DEFAULT_JAEGER_URL})"

    listing = subparsers.add_parser("traces", help="list recent traces from Jaeger", description="List recent traces, newest first.")
    listing.add_argument("--service", help="only traces with a span of this service")
    listing.add_argument("--operation", help="only traces with a span of this name or gen_ai.operation.name (e.g. chat)")
    listing.add_argument("--errors", action="store_true", help="only traces with an error span")
    listing.add_argument("--min-cost", type=float, metavar="USD", help="only traces that cost at least this much")
    listing.add_argument("--limit", type=_positive_int, default=20, help="show at most N traces (default 20)")
    listing.add_argument("--lookback", type=_duration, default=3600.0, help="how far back to search, e.g. 15m, 1h, 2d (default 1h)")
    listing.add_argument("--jaeger-url", help=url_help)
    listing.add_argument("--json", action="store_true", help="print the matching traces as Jaeger JSON")
    listing.set_defaults(func=cmd_traces)

    single = subparsers.add_parser("trace", help="print one trace as a tree", description="Print one trace as a tree of spans.")
    single.add_argument("trace_id", metavar="TRACE_ID")
    single.add_argument("--jaeger-url", help=url_help)
    single.add_argument("--json", action="store_true", help="print Jaeger's JSON instead")
    single.set_defaults(func=cmd_trace)


def fetch_traces(client: JaegerClient, args: argparse.Namespace) -> list[dict]:
    """Raw traces for the filters: from Jaeger's search, per service when none is given."""
    # Errors, operations (which may be a gen_ai.operation.name) and cost are filtered here, so
    # Jaeger is asked for more traces than will be shown.
    client_side = args.operation or args.errors or args.min_cost is not None or not args.service
    fetch = min(args.limit * _OVERFETCH, _MAX_FETCH) if client_side else args.limit
    services = [args.service] if args.service else client.services()
    raw = []
    for service in services:
        raw.extend(client.find_traces(service, args.lookback, fetch))
    return raw


def cmd_traces(args: argparse.Namespace) -> int:
    client = JaegerClient(jaeger_url(args.jaeger_url))
    try:
        raw = fetch_traces(client, args)
    except JaegerError as error:
        print(f"agentotel traces: {error}", file=sys.stderr)
        return 1
    by_id = {}
    for item in raw:
        trace = parse_trace(item)
        by_id[trace.trace_id] = (trace, item)
    trace_filter = TraceFilter(service=args.service, operation=args.operation, errors=args.errors, min_cost=args.min_cost)
    kept = select((trace for trace, _ in by_id.values()), trace_filter, args.limit)
    if args.json:
        print(json.dumps({"data": [by_id[trace.trace_id][1] for trace in kept]}, indent=2))
    else:
        print(render_list(kept))
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    try:
        trace_id = normalize_trace_id(args.trace_id)
    except ValueError as error:
        print(f"agentotel trace: {error}", file=sys.stderr)
        return 2
    client = JaegerClient(jaeger_url(args.jaeger_url))
    try:
        data = client.get_trace(trace_id)
    except TraceNotFound:
        print(f"agentotel trace: trace {trace_id} not found in Jaeger at {client.base_url}", file=sys.stderr)
        return 1
    except JaegerError as error:
        print(f"agentotel trace: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"data": [data]}, indent=2) if args.json else render_tree(parse_trace(data)))
    return 0
