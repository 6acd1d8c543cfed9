"""What starting a command or an ingest worker imports: only what it runs.

Every CLI command pays for its imports before doing anything, and ingest's worker processes pay
for theirs once each. numpy comes with the Similar-articles build and tantivy with the index
backend; neither is needed to start the CLI or to prepare records.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


def _imported(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_cli_starts_without_numpy() -> None:
    loaded = _imported("pubmirror.faces.cli")
    assert "pubmirror.service.app" in loaded  # the façade itself is there
    assert "numpy" not in loaded
    assert "pubmirror.service.neighbours" not in loaded


@pytest.mark.parametrize("module", ["pubmirror.service.prepare", "pubmirror.index.tantivy_document"])
def test_ingest_workers_need_neither_tantivy_nor_the_facade(module: str) -> None:
    loaded = _imported(module)
    assert module in loaded
    assert "tantivy" not in loaded
    assert "pubmirror.service.app" not in loaded
