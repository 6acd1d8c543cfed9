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


def test_the_cli_starts_without_displays_mesh_or_similar() -> None:
    # Imported where used: `ingest` and `stats` need none of them (70 ms a start, measured).
    loaded = _imported("pubmirror.faces.cli")
    for module in ("pubmirror.formats", "pubmirror.mesh", "pubmirror.service.search",
                   "pubmirror.service.similar", "pubmirror.store.mesh_store"):  # fmt: skip
        assert module not in loaded


@pytest.mark.parametrize(
    "module",
    ["pubmirror.service.prepare", "pubmirror.index.tantivy_document",
     "pubmirror.service.reader_process"],
)  # fmt: skip
def test_ingest_workers_need_neither_tantivy_nor_the_facade(module: str) -> None:
    loaded = _imported(module)
    assert module in loaded
    assert "tantivy" not in loaded
    assert "pubmirror.service.app" not in loaded


FIRST_IMPORTS = [
    "pubmirror.index._cdocument",  # first in the forkserver's preload list of ingest's workers
    "pubmirror.medline._cwalk",
    "pubmirror.index.tantivy_document",
    "pubmirror.service.prepare",
    "pubmirror.medline.extract",
]


@pytest.mark.parametrize("first", FIRST_IMPORTS)
def test_extract_uses_the_compiled_walker_whatever_is_imported_first(first: str) -> None:
    # When extract and the walker imported each other, importing the walker first left extract
    # with its Python fallbacks: ingest's workers ran ten times slower, with nothing reported.
    pytest.importorskip("pubmirror.medline._cwalk")
    code = (
        f"import {first}\n"
        "from pubmirror.medline import _cwalk, extract\n"
        "print(extract.scan_stream is _cwalk.scan_stream,"
        " extract.scan_fields is _cwalk.scan_fields,"
        " extract.fast_search_fields is _cwalk.search_fields)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True"]
