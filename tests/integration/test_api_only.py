"""agentotel installed from its wheel beside ``opentelemetry-api`` alone: importing it and using
every decorator and context manager works, and no SDK is there to load."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.api_only_env import ROOT, api_only_python

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def python():
    return api_only_python()


def test_the_sdk_is_not_installed(python):
    """The environment holds the API, not the SDK (the test would prove nothing otherwise)."""
    probe = "import importlib.util as u; print(u.find_spec('opentelemetry.trace') is not None, " \
            "u.find_spec('opentelemetry.sdk') is None)"
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_every_decorator_works_with_the_api_alone(python, tmp_path):
    """The app using every decorator, context manager and record_* call exits 0 without the SDK."""
    done = subprocess.run([str(python), str(ROOT / "tests" / "support" / "api_only_app.py")], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"sdk_modules": []}
    assert "Traceback" not in done.stderr
