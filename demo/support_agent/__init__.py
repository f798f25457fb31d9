"""A customer-support agent for a small shop, instrumented with agentotel.

``app`` (the HTTP API), ``agent`` (one turn), ``llm`` (the model calls), ``knowledge`` (the FAQ
search), ``tools`` (orders, shipping, refunds), ``rules`` (intents and escalation), ``settings``.
"""
