"""The two distributions: the agentotel wheel an app installs holds no dev tooling and no console
script; the agentotel-tools wheel holds the stack, the command and the report, and, installed from
wheels (not editable) in a fresh virtualenv, runs ``agentotel stack status`` from a checkout.

The wheels are built with pip (``--no-build-isolation``, this environment's setuptools) from a copy
of the sources, so nothing an earlier build left in ``build/`` can slip in. Wheels and virtualenv are
kept in ``$AGENTOTEL_CACHE/distributions/<content hash>``: a second run with the same sources only
runs the commands.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
import zipfile
from configparser import ConfigParser
from pathlib import Path

import pytest

from agentotel_tools import settings
from agentotel_tools.stack import COMPONENTS

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
#: What each distribution is built from, relative to the repository.
SOURCES = {"agentotel": ("pyproject.toml", "README.md", "instrumentation"),
           "agentotel_tools": ("tools",)}
#: Directories the build copies from.
BUILD_ROOTS = {"agentotel": ".", "agentotel_tools": "tools"}
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
#: Cached builds not used for this long are removed.
_KEEP_SECONDS = 3 * 86400
TOOLS_MODULES = ("stack", "cli", "report")


def _progress(message: str) -> None:
    print(f"[distributions] {message}", file=sys.stderr, flush=True)


def _files(root: Path):
    for path in sorted(root.rglob("*") if root.is_dir() else [root]):
        parts = path.relative_to(REPO).parts
        if path.is_file() and not any(p in ("__pycache__", "build", "dist") or p.endswith(".egg-info") for p in parts) \
                and path.suffix != ".pyc":
            yield path


def _content_key() -> str:
    digest = hashlib.sha256(f"{sys.version}\n".encode())
    for names in SOURCES.values():
        for name in names:
            for path in _files(REPO / name):
                digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _copy_sources(destination: Path) -> None:
    destination.mkdir(parents=True)
    for names in SOURCES.values():
        for name in names:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, destination / name, ignore=_IGNORED)
            else:
                shutil.copy2(source, destination / name)


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=900, **kwargs)


def _check(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{' '.join(result.args)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _prune(parent: Path, keep: str) -> None:
    for entry in parent.iterdir():
        stamp = entry / "ready"
        if entry.is_dir() and entry.name != keep and stamp.exists() and time.time() - stamp.stat().st_mtime > _KEEP_SECONDS:
            shutil.rmtree(entry, ignore_errors=True)
            (parent / f"{entry.name}.lock").unlink(missing_ok=True)


def _build(work: Path) -> None:
    """Both wheels in ``work/wheels`` and a virtualenv with them installed in ``work/venv``."""
    sources = work / "sources"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _copy_sources(sources)
    for name, root in BUILD_ROOTS.items():
        _progress(f"building the {name} wheel")
        _check(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                     "--disable-pip-version-check", "-q", "-w", work / "wheels", sources / root]))
    _progress("creating a fresh virtualenv and installing both wheels (dependencies from pip's cache or PyPI)")
    _check(_run([sys.executable, "-m", "venv", work / "venv"]))
    wheels = sorted((work / "wheels").glob("*.whl"))
    _check(_run([work / "venv" / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check",
                 "--progress-bar", "off", *wheels]))
    shutil.rmtree(sources)


@pytest.fixture(scope="module")
def built() -> Path:
    """The cache directory holding ``wheels/`` and ``venv/`` for the current sources."""
    parent = settings.cache_dir() / "distributions"
    parent.mkdir(parents=True, exist_ok=True)
    key = _content_key()
    work = parent / key
    with open(parent / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (work / "ready").exists():
            _progress(f"wheels and virtualenv up to date ({work})")
        else:
            _build(work)
            (work / "ready").write_text(key)
        os.utime(work / "ready")
    _prune(parent, key)
    return work


def _wheel(built: Path, name: str) -> zipfile.ZipFile:
    (path,) = (built / "wheels").glob(f"{name}-*.whl")
    return zipfile.ZipFile(path)


def _console_scripts(wheel: zipfile.ZipFile) -> dict:
    entry_points = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = ConfigParser()
    parser.optionxform = str
    for name in entry_points:
        parser.read_string(wheel.read(name).decode())
    return dict(parser["console_scripts"]) if parser.has_section("console_scripts") else {}


def test_the_agentotel_wheel_has_no_dev_tooling(built):
    """The wheel an app installs holds the instrumentation only: no stack, CLI, report or demo
    modules and no console script."""
    wheel = _wheel(built, "agentotel")
    names = wheel.namelist()
    assert "agentotel/__init__.py" in names and "agentotel/autoconf/distro.py" in names
    tooling = [n for n in names if n.startswith(tuple(f"agentotel/{m}/" for m in TOOLS_MODULES))
               or n.startswith(("demo/", "agentotel_tools/", "agentotel/demo"))]
    assert tooling == []
    assert _console_scripts(wheel) == {}


def test_the_tools_wheel_has_the_command_and_its_modules(built):
    """agentotel-tools holds the stack, the command, the report, the PromQL and the Prometheus client."""
    wheel = _wheel(built, "agentotel_tools")
    names = set(wheel.namelist())
    for module in ("stack/manager.py", "stack/layout.py", "cli/main.py", "cli/demo_guide.py", "report/weekly.py",
                   "promql.py", "prometheus.py", "settings.py"):
        assert f"agentotel_tools/{module}" in names
    assert not [n for n in names if n.startswith("agentotel/")]
    assert _console_scripts(wheel) == {"agentotel": "agentotel_tools.cli.main:main"}


def _agentotel(built: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AGENTOTEL_", "PYTHON", "VIRTUAL_ENV"))}
    return _run([built / "venv" / "bin" / "agentotel", *args], cwd=cwd, env={**clean, **env})


def test_stack_status_from_a_checkout_with_the_wheels_installed(built, tmp_path):
    """Installed from wheels, ``agentotel stack status`` in the repository finds it from the
    current directory and reports a stopped stack: every component stopped, exit code 1."""
    site = _check(_run([built / "venv" / "bin" / "python", "-c", "import agentotel_tools; print(agentotel_tools.__file__)"],
                       cwd=tmp_path)).stdout
    assert site.startswith(str(built / "venv"))  # the wheel's copy, not this checkout's
    result = _agentotel(built, "stack", "status", cwd=REPO, AGENTOTEL_STACK_DIR=str(tmp_path / "stack"))
    assert result.returncode == 1, result.stderr
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:]}
    assert rows == {name: "stopped" for name in COMPONENTS}
    assert result.stderr == ""


def test_outside_a_checkout_agentotel_home_names_it(built, tmp_path):
    """Outside a checkout the installed command says to set AGENTOTEL_HOME, and works once it is set."""
    lost = _agentotel(built, "stack", "status", cwd=tmp_path, AGENTOTEL_STACK_DIR=str(tmp_path / "stack"))
    assert lost.returncode == 1 and "AGENTOTEL_HOME" in lost.stderr and lost.stdout == ""
    found = _agentotel(built, "stack", "status", cwd=tmp_path, AGENTOTEL_STACK_DIR=str(tmp_path / "stack"),
                       AGENTOTEL_HOME=str(REPO))
    assert found.returncode == 1 and found.stdout.startswith("COMPONENT"), found.stderr


def test_help_lists_the_subcommands(built, tmp_path):
    """``agentotel --help`` lists every subcommand."""
    result = _check(_agentotel(built, "--help", cwd=tmp_path))
    for command in ("stack", "traces", "trace", "demo", "report"):
        assert f"\n    {command} " in result.stdout
