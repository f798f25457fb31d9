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
    # the dev environment's packages after the peer's own, and agentotel's source (the path file of
    # an editable install is not read from a directory that a .pth file adds)
    paths = "".join(f"{p}\n" for p in [*_site_dirs(), str(REPO / "instrumentation")])
    key = hashlib.sha256(pins.read_bytes() + paths.encode()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    print(f"peer environment {name}: installing {pins.name}", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(env)], check=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "zz-agentotel-dev.pth").write_text(paths)
    subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off",
                    "-r", str(pins)], check=True)
    stamp.write_text(key)
    return python


def _site_dirs() -> list[str]:
    """This interpreter's package directories, in its search order."""
    own = sysconfig.get_paths()["purelib"]
    return [own, *(p for p in sys.path if p.endswith("site-packages") and p != own)]


def instrumented(python: Path) -> list[str]:
    """The command that runs ``opentelemetry-instrument`` with ``python``; append the program."""
    return [str(python), *INSTRUMENT]


if __name__ == "__main__":  # build them all: python -m tests.integration.frameworks.peer_envs
    for peer in sys.argv[1:] or NAMES:
        print(peer_python(peer))


if __name__ == "__main__":  # scripts/framework-envs.sh: make or refresh every peer environment
    for peer in NAMES:
        print(f"peer environment {peer}: {peer_python(peer)}", file=sys.stderr, flush=True)
