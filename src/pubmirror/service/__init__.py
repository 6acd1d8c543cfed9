"""Layer 6: the one service façade (ingest, search, fetch) that every face calls."""

from __future__ import annotations

from pubmirror.service.app import Pubmirror, resolve_home
from pubmirror.service.ingest import FileResult
from pubmirror.service.sample import fetch_sample

__all__ = ["FileResult", "Pubmirror", "fetch_sample", "resolve_home"]
