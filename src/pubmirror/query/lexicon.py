"""What the query resolver needs to know of the indexed records: the :class:`Lexicon`.

The service implements it over the search index; tests may implement it over anything. It is
the resolver's only view of the data, which keeps the query layer free of any index backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["Lexicon"]


class Lexicon(Protocol):
    """What the resolver needs to know of the indexed records."""

    def words(self, text: str) -> list[str]:
        """The index's analysis of ``text`` (lower case, accents folded, punctuation dropped)."""
        ...

    def has_keyword(self, tag: str, value: str) -> bool:
        """Some record has exactly ``value`` in keyword field ``tag``."""
        ...

    def has_keyword_prefix(self, tag: str, prefix: str) -> bool: ...

    def has_phrase(self, fields: Sequence[str], words: Sequence[str]) -> bool:
        """Some record has these analyzed words adjacent, in order, in one of ``fields``."""
        ...

    def variants(self, fields: Sequence[str], prefix: str, limit: int) -> list[str]:
        """Distinct indexed words starting with ``prefix`` in any of ``fields``, at most
        ``limit + 1`` of them (so that going over the limit shows)."""
        ...
