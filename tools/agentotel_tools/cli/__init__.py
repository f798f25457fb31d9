"""The `agentotel` command line: the local stack, trace browsing, reports and the demo."""
