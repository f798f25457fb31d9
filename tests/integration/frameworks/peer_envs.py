"""Environments with a peer's LangChain instrumentation installed beside agentotel.

OpenLLMetry's and OpenInference's LangChain instrumentations both register the entry point
``langchain``, so each would load in every ``opentelemetry-instrument`` app of the dev environment,
and both would load together. Each gets an environment of its own, ``.venv-peers/<name>``: a
virtualenv that sees the dev environment's packages (a ``.pth`` file) and holds only the peer,
installed from ``<name>.txt`` with pip (its cache makes a second build quick). A stamp of the pins'
hash makes an up-to-date environment a no-op.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent / "peers"
REPO = HERE.parents[3]
ROOT = REPO / ".venv-peers"
NAMES = ("openllmetry", "openinference")
#: ``opentelemetry-instrument`` run by an environment's own interpreter.
INSTRUMENT = ("-c", "import sys; from opentelemetry.instrumentation.auto_instrumentation import run; sys.exit(run())")


def peer_python(name: str) -> Path:
    """The interpreter of the environment for peer ``name``, made or brought up to date first."""
    pins = HERE / f"{name}.txt"
    env = ROOT / name
    python = env / "bin" / "python"
    stamp = env / ".agentotel-stamp"
    key = hashlib.sha256(pins.read_bytes() + sys.executable.encode()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    print(f"peer environment {name}: installing {pins.name}", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(env)], check=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    dev_site = sysconfig.get_paths()["purelib"]
    # the dev environment's packages after the peer's own; agentotel's source (an editable install's
    # path file is not read from a directory a .pth adds)
    (site / "zz-agentotel-dev.pth").write_text(f"{dev_site}\n{REPO / 'instrumentation'}\n")
    subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off",
                    "-r", str(pins)], check=True)
    stamp.write_text(key)
    return python


def instrumented(python: Path) -> list[str]:
    """The command that runs ``opentelemetry-instrument`` with ``python``; append the program."""
    return [str(python), *INSTRUMENT]


if __name__ == "__main__":  # build them all: python -m tests.integration.frameworks.peer_envs
    for peer in sys.argv[1:] or NAMES:
        print(peer_python(peer))
