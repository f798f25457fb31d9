"""Framework instrumentations: each translates one agent framework's own hooks (callbacks, trace
processors, dispatchers) into the core's records; the one emitter makes every span and metric."""
