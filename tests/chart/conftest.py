"""Helm, built from its pinned Go module by tests/chart/build_helm.sh (scripts/test runs it first)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent
HELM = HERE / "bin" / "helm"


@pytest.fixture(scope="session")
def helm() -> str:
    """The helm binary; built here when missing (minutes on a cold Go cache), skipped only when it cannot be."""
    if not HELM.exists():
        if shutil.which("go") is None:
            pytest.skip("Helm cannot be built: Go is not installed (tests/chart/build_helm.sh)")
        built = subprocess.run(["sh", str(HERE / "build_helm.sh")], capture_output=True, text=True, timeout=1800)
        if built.returncode != 0:
            pytest.skip(f"Helm cannot be built (tests/chart/build_helm.sh): {built.stderr.strip()[-300:]}")
    return str(HELM)
