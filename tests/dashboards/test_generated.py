"""The committed dashboards, rules and provisioning are what the sources in dashboards/src/ generate."""

from __future__ import annotations

from dashboards.src import generate

from tests.dashboards.helpers import DASHBOARDS


def test_committed_files_match_their_sources():
    """Every generated file is committed and equals a fresh generation (run python -m dashboards.src.generate)."""
    stale = [path for path, text in generate.outputs().items()
             if not (DASHBOARDS / path).exists() or (DASHBOARDS / path).read_text() != text]
    assert not stale, f"regenerate: {stale}"


def test_check_mode_reports_a_stale_file(tmp_path, monkeypatch):
    """`generate --check` fails when a committed file differs from its source, and names it."""
    for path, text in generate.outputs().items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (tmp_path / "prometheus" / "alerts.rules.yaml").write_text("groups: []\n")
    monkeypatch.setattr(generate, "ROOT", tmp_path)
    assert generate.main(["--check"]) == 1
    assert generate.main([]) == 0
    assert generate.main(["--check"]) == 0


def test_generation_is_deterministic():
    """Two generations give the same bytes (no timestamps, no set ordering)."""
    assert generate.outputs() == generate.outputs()
