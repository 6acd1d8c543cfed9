"""Layer 6: the one service façade (ingest, search, fetch) that every face calls."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pubmirror.service.app import Pubmirror, resolve_home
    from pubmirror.service.ingest import FileResult
    from pubmirror.service.sample import fetch_sample

__all__ = ["FileResult", "Pubmirror", "fetch_sample", "resolve_home"]

_MODULE_OF = {"Pubmirror": "app", "resolve_home": "app", "FileResult": "ingest",
              "fetch_sample": "sample"}  # fmt: skip


def __getattr__(name: str) -> Any:
    # Loaded on first use: ingest's worker processes import service.prepare, and importing the
    # whole façade with it cost each of them about 0.2 s of CPU (measured).
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"pubmirror.service.{module}"), name)
