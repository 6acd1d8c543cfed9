"""Layer 3: MeSH, NLM's vocabulary: reading its files, the descriptor model, explosion.

Pure: no storage here. :mod:`~pubmirror.mesh.read` reads NLM's tree file, descriptor XML and
qualifier XML; :mod:`~pubmirror.mesh.model` holds the records and the tree-number arithmetic
explosion rests on; :mod:`~pubmirror.mesh.vocabulary` defines :class:`Vocabulary`, the interface
the query resolver uses (the SQLite implementation is ``store/mesh_store.py``);
:mod:`~pubmirror.mesh.subheadings` is the PubMed User Guide's table of subheadings. See
``docs/mesh.md``.
"""

from __future__ import annotations

from pubmirror.mesh.model import (
    Descriptor, Qualifier, is_category, is_tree_number, normalize_term, parent_tree,
    subtree_bounds,
)  # fmt: skip
from pubmirror.mesh.read import (
    Source, open_source, read_descriptors, read_qualifiers, read_tree_file,
)  # fmt: skip
from pubmirror.mesh.subheadings import GUIDE_SUBHEADINGS, guide_qualifiers
from pubmirror.mesh.vocabulary import EMPTY, MemoryVocabulary, Vocabulary

__all__ = [
    "EMPTY", "GUIDE_SUBHEADINGS",
    "Descriptor", "MemoryVocabulary", "Qualifier", "Source", "Vocabulary",
    "guide_qualifiers", "is_category", "is_tree_number", "normalize_term", "open_source",
    "parent_tree", "read_descriptors", "read_qualifiers", "read_tree_file", "subtree_bounds",
]  # fmt: skip
