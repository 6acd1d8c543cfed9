"""MeSH records and tree-number arithmetic, in NLM's own terms.

A *descriptor* (``D008180``, "Lupus Erythematosus, Systemic") sits at one or more places in the
MeSH trees; each place is a *tree number* (``C17.300.480``, ``C20.111.590``). A tree number is a
category letter and two digits, then one three-digit segment per level below; its parent is the
number without its last segment. A *qualifier* (``Q000188``, "drug therapy", abbreviation ``DT``)
is what PubMed calls a subheading; qualifiers have tree numbers of their own (category Y).

Explosion works on tree numbers: the descendants of ``C17.300.480`` are exactly the tree numbers
that start with ``C17.300.480.``. Compared as byte strings that is the open interval
(``"C17.300.480."``, ``"C17.300.480/"``): ``/`` is the character after ``.``, and every
character of a tree number (digits, dots) sorts at or above ``.``. So a subtree is one range scan
on a sorted column, and a sibling that merely shares a string prefix (``C17.300.48`` against
``C17.300.480``) never falls inside it, as it would in a ``LIKE 'C17.300.48%'``.

>>> subtree_bounds("C17.300.480")
('C17.300.480.', 'C17.300.480/')
>>> "C17.300.48." < "C17.300.480" < "C17.300.48/"
False
>>> subtree_bounds("C")  # a whole category: every tree number that starts with C
('C', 'D')
>>> parent_tree("C17.300.480"), parent_tree("C17"), parent_tree("C")
('C17.300', 'C', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TREE_NUMBER = re.compile(r"[A-Z]\d\d(?:\.\d{3})*")
CATEGORY = re.compile(r"[A-Z]")
DESCRIPTOR_UI = re.compile(r"D\d{6}(?:\d{3})?")  # D + 6 digits, or 9 since 2014 (D000069594)
QUALIFIER_UI = re.compile(r"Q\d{6}(?:\d{3})?")


@dataclass(frozen=True, slots=True)
class Descriptor:
    """One MeSH descriptor (a main heading).

    Attributes:
        ui: NLM's DescriptorUI, e.g. ``"D008180"``.
        name: the preferred name (DescriptorName/String), as NLM writes it.
        tree_numbers: every place in the trees, in file order; may be empty (NLM has a few
            descriptors outside the trees, and a record may list none).
        entry_terms: the other terms that map to it (every Term/String of every Concept, the
            preferred name excluded), in file order. A tree file gives none.
    """

    ui: str
    name: str
    tree_numbers: tuple[str, ...] = ()
    entry_terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Qualifier:
    """One MeSH qualifier (PubMed: subheading).

    Attributes:
        ui: NLM's QualifierUI, or None for a row of the User Guide's table (it gives no UIs).
        name: NLM's spelling, lower case, as MEDLINE XML writes QualifierName and as the index
            holds it: ``"administration & dosage"``.
        abbreviation: the two-letter abbreviation, upper case: ``"AD"``.
        tree_numbers: its places in NLM's qualifier tree; empty for the User Guide's table.
    """

    ui: str | None
    name: str
    abbreviation: str
    tree_numbers: tuple[str, ...] = ()


def normalize_term(text: str) -> str:
    """The lookup key of a term: lower case, runs of whitespace collapsed to one space.

    >>> normalize_term("  Lupus   Erythematosus,\\tSYSTEMIC ")
    'lupus erythematosus, systemic'
    """
    return " ".join(text.split()).lower()


def is_tree_number(text: str) -> bool:
    return TREE_NUMBER.fullmatch(text) is not None


def is_category(text: str) -> bool:
    """A category letter (``C``: Diseases): the root above the numbered trees."""
    return CATEGORY.fullmatch(text) is not None


def parent_tree(tree: str) -> str | None:
    """The tree number one level up; a top-level number's parent is its category letter."""
    if len(tree) <= 1:
        return None
    head, dot, _ = tree.rpartition(".")
    return head if dot else tree[0]


def subtree_bounds(tree: str) -> tuple[str, str]:
    """``(low, high)``: the descendants of ``tree`` are the tree numbers strictly between them.

    The node itself is never inside (it does not end with a dot), so explosion adds it apart.
    """
    if is_category(tree):
        return tree, chr(ord(tree) + 1)
    return tree + ".", tree + "/"
