"""The README stays true: every setting documented, CI running the README's test command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_readme_configuration_table_matches_the_settings() -> None:
    table = subprocess.run(
        [sys.executable, "-m", "service.cli", "settings", "--markdown"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert table in (REPO / "README.md").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "bash tests/run.sh" in readme
    assert "tests/run.sh" in ci
