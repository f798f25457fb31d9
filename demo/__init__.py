"""Runnable examples of agentotel: a customer-support agent, a fake LLM provider and traffic."""
