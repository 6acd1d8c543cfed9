"""The vocabulary interface the query resolver types against, and an in-memory implementation.

:class:`Vocabulary` is what the query resolver (layer 4) sees of MeSH; the service hands it the
SQLite-backed one (:class:`pubmirror.store.mesh_store.MeshStore`, layer 5) or, when nothing has
been loaded, :data:`EMPTY`. Every method is safe on an empty vocabulary: ``loaded`` is False,
lookups give None, explosions give ``[]``. Subheadings always resolve: without a loaded
qualifier file they come from the PubMed User Guide's table (:mod:`pubmirror.mesh.subheadings`).

:class:`MemoryVocabulary` holds the same model in dictionaries and a sorted list of tree numbers.
It is the reference for the SQL implementation (tests compare the two on the whole 2017 tree)
and a vocabulary for tests of later stages that need no data home.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import Protocol

from pubmirror.mesh.model import (
    DESCRIPTOR_UI, Descriptor, Qualifier, is_category, is_tree_number, normalize_term,
    parent_tree, subtree_bounds,
)  # fmt: skip
from pubmirror.mesh.subheadings import guide_qualifiers


class Vocabulary(Protocol):
    """MeSH as the query language needs it. UIs are NLM's (``"D008180"``), upper case."""

    @property
    def loaded(self) -> bool:
        """Descriptors are loaded; False means ``[mh]`` searches go unexploded."""
        ...

    @property
    def source(self) -> str | None:
        """What was loaded, for search details: ``"2017MeshTree.txt (tree file)"``; else None."""
        ...

    def lookup(self, term: str) -> str | None:
        """The UI whose preferred name or entry term is ``term`` (case and spacing ignored),
        or ``term`` itself when it is a known descriptor UI; None when unknown."""
        ...

    def name(self, ui: str) -> str | None:
        """The preferred name of a descriptor UI."""
        ...

    def names(self, uis: Iterable[str]) -> dict[str, str]:
        """Preferred names of many UIs at once (an explosion's), unknown UIs left out."""
        ...

    def descriptor(self, ui: str) -> Descriptor | None:
        """The whole record: name, tree numbers, entry terms."""
        ...

    def explode(self, ui: str) -> list[str]:
        """``ui`` first, then every descriptor under any of its tree numbers (sorted, distinct);
        ``[]`` for an unknown UI."""
        ...

    def explode_tree(self, tree: str) -> list[str]:
        """The descriptors at and under a tree number or category letter (``"C"``), sorted."""
        ...

    def children(self, ui: str) -> list[str]:
        """Descriptors one level below any of the UI's tree numbers, sorted."""
        ...

    def parents(self, ui: str) -> list[str]:
        """Descriptors one level above any of the UI's tree numbers, sorted."""
        ...

    def subheading(self, text: str) -> Qualifier | None:
        """A subheading by name (``"drug therapy"``, ``"Administration and Dosage"``), two-letter
        abbreviation (``"dt"``) or qualifier UI."""
        ...

    def explode_subheading(self, text: str) -> list[Qualifier]:
        """The subheading and those below it in NLM's qualifier tree (just itself when only the
        User Guide's table is known); ``[]`` when unknown."""
        ...


def qualifier_keys(q: Qualifier) -> list[str]:
    """The lookup keys of a qualifier: name (with ``&`` and ``and`` both), abbreviation, UI."""
    keys = [normalize_term(q.name), q.abbreviation.lower()]
    keys.append(normalize_term(" ".join("and" if w == "&" else w for w in q.name.split())))
    if q.ui:
        keys.append(q.ui.lower())
    return keys


def find_subheading(qualifiers: Iterable[Qualifier], text: str) -> Qualifier | None:
    key = normalize_term(text)
    for q in qualifiers:
        if key in qualifier_keys(q):
            return q
    return None


def qualifier_subtree(qualifiers: Sequence[Qualifier], top: Qualifier) -> list[Qualifier]:
    """``top`` and every qualifier under one of its tree numbers, in the order given."""
    spans = [subtree_bounds(t) for t in top.tree_numbers]
    below = [q for q in qualifiers if q is not top
             and any(lo < t < hi for t in q.tree_numbers for lo, hi in spans)]  # fmt: skip
    return [top, *below]


class MemoryVocabulary:
    """A :class:`Vocabulary` over descriptors (and qualifiers) held in memory."""

    def __init__(
        self,
        descriptors: Iterable[Descriptor],
        qualifiers: Sequence[Qualifier] = (),
        source: str | None = None,
    ) -> None:
        self._records = {d.ui: d for d in descriptors}
        self._terms: dict[str, str] = {}
        for d in self._records.values():  # preferred names win over entry terms
            self._terms.setdefault(normalize_term(d.name), d.ui)
        for d in self._records.values():
            for term in d.entry_terms:
                self._terms.setdefault(normalize_term(term), d.ui)
        self._trees = sorted((t, d.ui) for d in self._records.values() for t in d.tree_numbers)
        self._tree_keys = [t for t, _ in self._trees]
        self._at = dict(self._trees)
        self._below: dict[str, set[str]] = {}
        for t, u in self._trees:
            self._below.setdefault(parent_tree(t) or "", set()).add(u)
        self._qualifiers = tuple(qualifiers) or guide_qualifiers()
        self._source = source

    @property
    def loaded(self) -> bool:
        return bool(self._records)

    @property
    def source(self) -> str | None:
        return self._source if self._records else None

    def lookup(self, term: str) -> str | None:
        if DESCRIPTOR_UI.fullmatch(term.strip().upper()):
            ui = term.strip().upper()
            return ui if ui in self._records else None
        return self._terms.get(normalize_term(term))

    def name(self, ui: str) -> str | None:
        d = self._records.get(ui)
        return d.name if d else None

    def names(self, uis: Iterable[str]) -> dict[str, str]:
        return {u: d.name for u in uis if (d := self._records.get(u)) is not None}

    def descriptor(self, ui: str) -> Descriptor | None:
        return self._records.get(ui)

    def explode(self, ui: str) -> list[str]:
        d = self._records.get(ui)
        if d is None:
            return []
        below = {u for t in d.tree_numbers for u in self._under(t)}
        below.discard(ui)
        return [ui, *sorted(below)]

    def explode_tree(self, tree: str) -> list[str]:
        if not (is_tree_number(tree) or is_category(tree)):
            return []
        at = {self._at[tree]} if tree in self._at else set()
        return sorted(at | set(self._under(tree)))

    def _under(self, tree: str) -> list[str]:
        lo, hi = subtree_bounds(tree)
        start = bisect_right(self._tree_keys, lo)
        end = bisect_left(self._tree_keys, hi)
        return [u for _, u in self._trees[start:end]]

    def children(self, ui: str) -> list[str]:
        d = self._records.get(ui)
        trees = d.tree_numbers if d else ()
        return sorted({u for t in trees for u in self._below.get(t, ())})

    def parents(self, ui: str) -> list[str]:
        d = self._records.get(ui)
        ups = [parent_tree(t) or "" for t in d.tree_numbers] if d else []
        return sorted({self._at[t] for t in ups if t in self._at})

    def subheading(self, text: str) -> Qualifier | None:
        return find_subheading(self._qualifiers, text)

    def explode_subheading(self, text: str) -> list[Qualifier]:
        top = self.subheading(text)
        return qualifier_subtree(self._qualifiers, top) if top else []


EMPTY = MemoryVocabulary(())
"""The vocabulary of a data home where nothing is loaded (subheadings still resolve)."""
