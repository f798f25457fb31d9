"""The emit core: typed records of GenAI operations, and the one place that turns them into
spans, metrics and events."""
