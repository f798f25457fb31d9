"""Zero-code instrumentations of agent frameworks: each translates its framework's own hooks into
the core's records (``core.records``); the one emitter makes every span, metric and event."""
