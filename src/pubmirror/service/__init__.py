"""Layer 6: the one service façade (ingest, search, fetch) that every face calls."""

from __future__ import annotations

from pubmirror.service.app import Pubmirror, resolve_home

__all__ = ["Pubmirror", "resolve_home"]
