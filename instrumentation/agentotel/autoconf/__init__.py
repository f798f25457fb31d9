"""Zero-code set-up: the ``opentelemetry-instrument`` distro and configurator, the conversation
header propagator, and exporting pipelines that count their drops and bound their waits.

Run an app with ``opentelemetry-instrument python app.py`` (or ``... uvicorn app:app``) and this
package configures the SDK; ``dropped()`` tells what telemetry was lost and why.
"""

from .stats import dropped

__all__ = ["dropped"]
