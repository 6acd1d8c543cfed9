"""Which index fields each PubMed tag searches, and how its values are written.

The index fields are :mod:`pubmirror.index.schema`'s (PubMed's tags); this module says what the
composite tags cover, following the PubMed User Guide's field descriptions:

* ``[tiab]``: title, abstract, other abstract and author keywords;
* ``[tw]``: those plus MeSH terms and subheadings (as words), and whole publication types,
  substance names, personal names as subject, corporate authors and secondary source IDs;
* ``[all]``: every text field, and the whole value of every keyword field except place of
  publication (the guide: dates and place of publication are not in All Fields).

It imports nothing from the index: the query layer sits below it.
"""

from __future__ import annotations

import re

TEXT_FIELDS = {
    "ti": ("ti",),
    "tiab": ("ti", "ab", "oab", "ot_text"),
    "tw": ("ti", "ab", "oab", "mesh_text", "ot_text"),
    "ad": ("ad",),
    "tt": ("tt",),
    "all": ("ti", "ab", "oab", "ad", "ot_text", "tt", "mesh_text"),
}

TW_KEYWORDS = ("pt", "nm", "ps", "cn", "si", "sh", "mh")
ALL_KEYWORDS = (
    "mh", "sh", "pt", "au", "fau", "cn", "auid", "ir", "fir", "ed", "fed", "ta", "jid", "la",
    "vi", "ip", "pg", "aid", "gr", "nm", "rn", "sb", "ot", "gs", "si", "sfm", "isbn", "ps", "oid",
)  # fmt: skip

# Keyword tags whose values are names written "lastname initials" or "lastname, forename":
# PubMed truncates them on the initials unless the name is quoted.
AUTHOR_TAGS = frozenset({"au", "1au", "lastau", "ir", "ps", "ed", "fau", "fir", "fed"})
FULL_NAME_TAGS = frozenset({"fau", "fir", "fed"})

# Tags the guide lists that map onto another index field here.
ALIASES = {"lid": "aid", "uid": "pmid", "filter": "sb"}

# Date tags and the index fields they search. A publication date range covers both the print
# and the electronic date, as PubMed's does; [ppdat] is approximated by the journal issue date.
DATE_FIELDS = {
    "dp": ("dp", "dep"),
    "edat": ("edat",),
    "crdt": ("crdt",),
    "mhda": ("mhda",),
    "dcom": ("dcom",),
    "lr": ("lr",),
    "epdat": ("dep",),
    "ppdat": ("dp",),
}

# How search details name date fields: PubMed prints the Advanced Search builder's names, as in
# esearch's translation "2025/09/27:2025/11/26[Date - Entry]".
DATE_LABELS = {
    "dp": "Date - Publication",
    "edat": "Date - Entry",
    "crdt": "Date - Create",
    "mhda": "Date - MeSH",
    "dcom": "Date - Completion",
    "lr": "Date - Modification",
}

# Fields the guide lists whose data this index does not hold yet.
NOT_INDEXED = frozenset({"book", "cois", "pa", "pubn"})

# Untagged words PubMed treats as filters, and the flag each searches.
FLAGS = frozenset({"hasabstract"})

# [sb] values that are record statuses rather than citation subsets.
STATUS_SUBSETS = {
    "medline": ("medline",),
    "publisher": ("publisher",),
    "inprocess": ("in-process", "in-data-review"),
    "pubmednotmedline": ("pubmed-not-medline",),
}

_SPACES = re.compile(r"\s+")


def keyword_value(text: str) -> str:
    """A typed value as keyword fields store it: lower case, white space collapsed."""
    return _SPACES.sub(" ", text).strip().lower()


def author_value(text: str) -> str:
    """An author name as typed, in the index's form: no periods, ``smith jr`` style."""
    return keyword_value(text.replace(".", " ")).replace(" ,", ",")


def language_code(text: str) -> str:
    """``english`` → ``eng``: PubMed matches a language's first three letters (Japanese is
    ``jpn``)."""
    value = keyword_value(text)
    return "jpn" if value.startswith("japan") else value[:3]
