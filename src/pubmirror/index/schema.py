"""Which search field is what kind: the one table every index backend builds its schema from.

Field names are PubMed's search tags (see :mod:`pubmirror.medline.extract`), so a query compiler
maps ``[ti]`` to ``ti`` without a lookup table of its own.
"""

from __future__ import annotations

# Tokenized text with positions (phrases and proximity).
TEXT = ("ti", "ab", "oab", "ad", "ot_text", "tt", "mesh_text")

# Exact, lower-cased values, one term each (MeSH headings, author names, ids …). A backend may
# keep them all in one field as ``tag=value`` terms: the tantivy backend does, since one field
# with prefixed terms indexed 40% faster and smaller than forty fields (measured on the sample).
KEYWORD = (
    "mh", "majr", "sh", "mhsh", "majrsh", "pt", "au", "fau", "1au", "lastau", "cn", "auid",
    "ir", "fir", "ed", "fed", "ta", "jid", "pl", "la", "vi", "ip", "pg", "aid", "gr", "nm",
    "rn", "sb", "stat", "own", "ps", "oid", "ot", "gs", "si", "sfm", "isbn", "flags",
    "pubstatus",
)  # fmt: skip

# Dates as YYYYMMDD integers: indexed for ranges, fast for sorting.
DATES = ("dp", "edat", "crdt", "mhda", "dcom", "lr", "dep")

# PMIDs this record cites (from its reference list): "Cited by" is a term query on it.
LINKS = ("refs",)

# Sort keys, one value per record.
SORT_TEXT = ("sort_au", "sort_ta")

# Numeric sort keys that break ties by PMID in one value: date * 10^8 + PMID. "recent" is
# PubMed's Most Recent (entry date), "pubdate" its Publication Date (the earlier of the print
# and electronic dates).
SORT_KEYS = ("recent", "pubdate")
PMID_SPAN = 10**8

# Best Match's prior, one small integer per record (docs/search.md has the formula).
PRIOR = "prior"

ALL = (*TEXT, *KEYWORD, *DATES, *LINKS, *SORT_TEXT, *SORT_KEYS, PRIOR)
