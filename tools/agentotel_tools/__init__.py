"""agentotel's developer tools, apart from the package apps install: the local stack (``stack``),
the ``agentotel`` command (``cli``), the weekly and monthly report (``report``), the PromQL they and
the dashboards share (``promql``), the Prometheus client (``prometheus``) and their settings
(``settings``)."""

__version__ = "0.1.0"
