"""The layering rule, checked on the source: a module imports only from lower layers.

Bottom-up: 0 ``pubmirror``, ``pubmirror.errors`` and ``pubmirror.system``; 1 ``medline``;
2 ``formats``; 3 ``mesh``; 4 ``query``; 5 ``store`` and ``index`` (one layer: neither imports the other); 6 ``service``;
7 ``faces``. Imports inside functions and under ``TYPE_CHECKING`` count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "pubmirror"
LAYERS = {
    "": 0, "errors": 0, "system": 0, "medline": 1, "formats": 2, "mesh": 3, "query": 4,
    "store": 5, "index": 5, "service": 6, "faces": 7,
}  # fmt: skip


def unit_of(module: str) -> str:
    """``pubmirror.medline.reader`` → ``medline``; ``pubmirror`` → ``""``."""
    parts = module.split(".")
    assert parts[0] == PACKAGE, module
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(module: str, source: str, is_package: bool = False) -> list[tuple[str, int]]:
    """``(module imported, line)`` for every ``pubmirror`` import in the source."""
    out: list[tuple[str, int]] = []
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                target = ".".join([*anchor, *(node.module.split(".") if node.module else [])])
            else:
                target = node.module or ""
            if target == PACKAGE:  # from pubmirror import errors, service ...
                out.extend((f"{PACKAGE}.{a.name}", node.lineno) for a in node.names)
            else:
                out.append((target, node.lineno))
    return [(m, line) for m, line in out if m == PACKAGE or m.startswith(PACKAGE + ".")]


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    mine = unit_of(module)
    if mine not in LAYERS:
        return [f"{module}: package {mine!r} has no layer; add it to the layer table"]
    found = []
    for target, line in imported(module, source, is_package):
        theirs = unit_of(target)
        if theirs == mine:
            continue
        if theirs not in LAYERS:
            found.append(f"{module}:{line} imports {target}, whose package has no layer")
        elif LAYERS[theirs] >= LAYERS[mine]:
            found.append(
                f"{module}:{line} (layer {LAYERS[mine]}) imports {target}"
                f" (layer {LAYERS[theirs]})"
            )
    return found


def all_modules() -> list[Path]:
    return sorted((SRC / PACKAGE).rglob("*.py"))


def test_modules_found() -> None:
    names = {module_name(p) for p in all_modules()}
    assert {"pubmirror.errors", "pubmirror.service.ingest", "pubmirror.faces.cli"} <= names
    assert len(names) > 20


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: module_name(p))
def test_layering(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert violations(module_name(path), source, path.name == "__init__.py") == []


# --- the checker itself -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("pubmirror.store.sqlite_store", "from pubmirror.index.base import Match"),
        ("pubmirror.index.tantivy_index", "import pubmirror.store.sqlite_store"),
        ("pubmirror.medline.reader", "from pubmirror.service import Pubmirror"),
        ("pubmirror.medline.reader", "def f():\n    from ..formats import registry\n"),
        ("pubmirror.formats.xml", "from pubmirror import mesh"),
        ("pubmirror.service.app", "from pubmirror.faces.cli import main"),
        ("pubmirror.errors", "from pubmirror.medline import model"),
        ("pubmirror.medline.parse", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                    "    from pubmirror.query import x\n"),
        ("pubmirror.web.app", "import os"),  # a package nobody placed
    ],
)
def test_checker_catches(module: str, source: str) -> None:
    assert violations(module, source) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("pubmirror.medline.reader", "from pubmirror.errors import BadInputError"),
        ("pubmirror.medline.split", "from pubmirror.medline.reader import open_xml"),
        ("pubmirror.medline.split", "from .reader import open_xml"),
        ("pubmirror.service.app", "from pubmirror.store.sqlite_store import Store\n"
                                  "from pubmirror.index import schema\nimport lxml"),
        ("pubmirror.faces.cli", "from pubmirror.service import Pubmirror\nfrom pubmirror import errors"),
    ],
)
def test_checker_allows(module: str, source: str) -> None:
    assert violations(module, source) == []


def test_relative_import_in_package_init() -> None:
    # in pubmirror/service/__init__.py, ``from .app import x`` is pubmirror.service.app
    assert imported("pubmirror.service", "from .app import Pubmirror", is_package=True) == [
        ("pubmirror.service.app", 1)
    ]
    assert violations("pubmirror.medline", "from ..store import Store", is_package=True) != []
