"""The local stack: the agentotel collector, Jaeger, VictoriaLogs and Prometheus on loopback.

``Stack`` starts, checks, stops and inspects them (see ``manager``); ``Ports`` chooses their ports;
``layout`` says where binaries, configs and run state live.
"""

from .components import COMPONENTS
from .layout import Layout, LayoutError
from .manager import ComponentStatus, Stack, StackError
from .ports import Ports

__all__ = ["COMPONENTS", "ComponentStatus", "Layout", "LayoutError", "Ports", "Stack", "StackError"]
