"""What the CrewAI instrumentation needs."""

_instruments: tuple[str, ...] = ("crewai >= 1.0.0",)
