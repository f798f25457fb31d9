"""Where the stack finds the repository: AGENTOTEL_HOME, the current directory or one above it, the
editable checkout, else a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentotel_tools.stack import layout
from agentotel_tools.stack.layout import Layout, LayoutError, find_repo_root

REPO = Path(__file__).resolve().parents[3]


def _checkout(path: Path) -> Path:
    (path / "collector").mkdir(parents=True)
    (path / "deploy" / "local").mkdir(parents=True)
    return path


def test_agentotel_home_wins(tmp_path):
    """AGENTOTEL_HOME names the repository, wherever the command runs."""
    home = _checkout(tmp_path / "home")
    other = _checkout(tmp_path / "other")
    assert find_repo_root(cwd=other, environ={"AGENTOTEL_HOME": str(home)}) == home.resolve()


def test_agentotel_home_that_is_no_checkout_is_an_error(tmp_path):
    """An AGENTOTEL_HOME without collector/ and deploy/local/ is said, not searched around."""
    with pytest.raises(LayoutError, match="AGENTOTEL_HOME"):
        find_repo_root(cwd=REPO, environ={"AGENTOTEL_HOME": str(tmp_path)})


def test_the_current_directory_or_one_above_it(tmp_path):
    """Without AGENTOTEL_HOME the checkout around the current directory is the repository."""
    checkout = _checkout(tmp_path / "checkout")
    (checkout / "demo" / "deep").mkdir(parents=True)
    assert find_repo_root(cwd=checkout, environ={}) == checkout.resolve()
    assert find_repo_root(cwd=checkout / "demo" / "deep", environ={}) == checkout.resolve()


def test_the_editable_checkout_outside_any_checkout(tmp_path):
    """Outside a checkout, an editable install finds the checkout its modules are in."""
    assert find_repo_root(cwd=tmp_path, environ={}) == REPO


def test_no_checkout_anywhere_is_a_clear_error(tmp_path, monkeypatch):
    """Installed from a wheel and run outside a checkout, the error says what to do."""
    monkeypatch.setattr(layout, "__file__", str(tmp_path / "site-packages" / "agentotel_tools" / "stack" / "layout.py"))
    with pytest.raises(LayoutError, match="set AGENTOTEL_HOME"):
        find_repo_root(cwd=tmp_path, environ={})


def test_run_directory_from_agentotel_stack_dir(tmp_path, monkeypatch):
    """The run directory is AGENTOTEL_STACK_DIR, else .agentotel/stack in the repository."""
    monkeypatch.delenv("AGENTOTEL_STACK_DIR", raising=False)
    assert Layout.discover(repo=REPO).run_dir == REPO / ".agentotel" / "stack"
    monkeypatch.setenv("AGENTOTEL_STACK_DIR", str(tmp_path / "run"))
    assert Layout.discover(repo=REPO).run_dir == (tmp_path / "run").resolve()
