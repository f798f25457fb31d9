"""The agent's tools over a pretend order system: look up an order, check its shipping, refund it.

Orders are derived from their number, so every run sees the same orders without a database:
numbers starting with 9 do not exist (a tool error the telemetry shows), the rest get a status,
total and carrier from a hash of the number. Each call is an ``execute_tool {name}`` span.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import agentotel

_STATUSES = ("processing", "shipped", "shipped", "delivered")
_CARRIERS = ("UPS", "DHL", "USPS")
_ITEMS = ("linen throw", "oak side table", "ceramic mug set", "wool rug", "brass lamp", "cotton towels")


class ToolError(Exception):
    """A tool could not do what was asked; the agent tells the customer."""


class OrderNotFound(ToolError):
    pass


class RefundRejected(ToolError):
    pass


def _hash(order_id: str) -> int:
    return zlib.crc32(order_id.upper().encode())


def _order(order_id: str) -> dict[str, Any]:
    order_id = order_id.upper()
    if order_id.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").startswith("9"):
        raise OrderNotFound(f"no order {order_id}")
    h = _hash(order_id)
    return {
        "order_id": order_id,
        "status": _STATUSES[h % len(_STATUSES)],
        "total": round(20 + (h % 40000) / 100, 2),  # 20.00 .. 419.99
        "item": _ITEMS[(h >> 8) % len(_ITEMS)],
        "carrier": _CARRIERS[(h >> 16) % len(_CARRIERS)],
    }


async def _latency(order_id: str, base_ms: int) -> None:
    # A backend call takes some time; deterministic per order so runs are comparable.
    await asyncio.sleep((base_ms + _hash(order_id) % 40) / 1000)


async def lookup_order(order_id: str) -> dict[str, Any]:
    await _latency(order_id, 15)
    return _order(order_id)


async def check_shipping(order_id: str) -> dict[str, Any]:
    await _latency(order_id, 25)
    order = _order(order_id)
    eta = {"processing": 4, "shipped": 2, "delivered": 0}[order["status"]]
    return {"order_id": order["order_id"], "status": order["status"], "carrier": order["carrier"],
            "tracking": f"{order['carrier'][:2]}{_hash(order_id) % 10**9:09d}", "eta_days": eta}


async def issue_refund(order_id: str, amount: float) -> dict[str, Any]:
    await _latency(order_id, 30)
    order = _order(order_id)
    if amount <= 0 or amount > order["total"]:
        raise RefundRejected(f"refund of {amount:.2f} exceeds the order total {order['total']:.2f}")
    return {"order_id": order["order_id"], "refund_id": f"R{_hash(order_id + str(amount)) % 10**6:06d}",
            "amount": round(amount, 2), "status": "issued"}


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    fn: Callable[..., Awaitable[dict[str, Any]]]

    def spec(self) -> dict[str, Any]:
        """The OpenAI function-calling definition."""
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": self.parameters}}


_ORDER_PARAM = {"order_id": {"type": "string", "description": "the order number, e.g. 48213"}}
TOOLS: dict[str, Tool] = {
    t.name: t for t in (
        Tool("lookup_order", "Look up an order's status, item and total.",
             {"type": "object", "properties": _ORDER_PARAM, "required": ["order_id"]}, lookup_order),
        Tool("check_shipping", "Check the carrier, tracking number and delivery estimate of an order.",
             {"type": "object", "properties": _ORDER_PARAM, "required": ["order_id"]}, check_shipping),
        Tool("issue_refund", "Refund an amount of an order to the original payment method.",
             {"type": "object", "properties": {**_ORDER_PARAM, "amount": {"type": "number"}},
              "required": ["order_id", "amount"]}, issue_refund),
    )
}


def specs() -> list[dict[str, Any]]:
    return [tool.spec() for tool in TOOLS.values()]


async def run(name: str, arguments: dict[str, Any], call_id: str | None = None) -> dict[str, Any]:
    """Run a tool in an ``execute_tool`` span; raises ``ToolError`` (recorded on the span)."""
    tool = TOOLS.get(name)
    if tool is None:
        raise ToolError(f"unknown tool {name!r}")
    with agentotel.tool(name, call_id=call_id, description=tool.description) as record:
        if record is not None:
            record.arguments = arguments
        try:
            result = await tool.fn(**arguments)
        except TypeError as error:  # the model sent arguments that do not fit
            raise ToolError(f"bad arguments for {name}: {error}") from error
        if record is not None:
            record.result = result
        return result
