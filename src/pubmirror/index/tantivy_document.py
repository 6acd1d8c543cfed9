"""The tantivy backend's documents: a record's search fields as the JSON ``add_json`` takes.

Kept apart from :mod:`pubmirror.index.tantivy_index` so that ingest's worker processes, which
encode documents in parallel, need neither tantivy nor the query compiler: importing them cost
each worker about 0.2 s of CPU (measured).
"""

from __future__ import annotations

import orjson

from pubmirror.index import schema
from pubmirror.index.base import StreamEncoder

KEYWORDS = "kw"  # the one field holding every keyword search field as "tag=value" terms
KEYWORD_SET = frozenset(schema.KEYWORD)

# The keyword field's terms reach tantivy as one string, split at ASCII white space by its
# tokenizer (tantivy's ``whitespace``, registered under this name): one string instead of a JSON
# list of about 60 cost tantivy 10 µs a record less to parse and index (measured on the sample).
# White space inside a value becomes DEL (U+007F), which NLM's text does not hold: JSON takes it
# unescaped and an ASCII record's document stays ASCII, which Python hands to tantivy without
# re-encoding (2 µs a record less than U+FFFF, measured). A value that did hold DEL would match
# as if it held a space there.
KEYWORD_TOKENIZER = "keywords"  # a new name for a new term encoding: older indexes rebuild
SPACE_IN_TERM = "\x7f"
_IN_TERM = str.maketrans({c: SPACE_IN_TERM for c in " \t\n\r\x0c"})  # Rust's is_ascii_whitespace


def keyword_term(tag: str, value: str) -> str:
    """The term a keyword value is indexed as: ``mh=lupus erythematosus, systemic``, with
    DEL for each space."""
    return f"{tag}={value}".translate(_IN_TERM)


def document_json(pmid: int, fields: dict[str, object]) -> str:
    """The JSON document tantivy adds for a record (parsed in Rust, cheaper than Document)."""
    doc: dict[str, object] = {"pmid": pmid}
    keywords: list[str] = []
    add = keywords.append  # a plain loop: 25% faster than concatenating comprehensions (measured)
    for tag, value in fields.items():
        if not value:
            continue
        if tag in KEYWORD_SET:
            for v in value:  # type: ignore[attr-defined]
                add(keyword_term(tag, v))
        else:
            doc[tag] = value
    if keywords:
        doc[KEYWORDS] = " ".join(dict.fromkeys(keywords))  # each term once: tantivy pays per term
    doc.update(sort_keys(pmid, fields))
    # orjson: 6 µs a record where the stdlib's json took 72 µs (measured on the sample).
    return orjson.dumps(doc).decode()


# Publication types Best Match's prior favours: reviews and trials, as PubMed's ranker does.
FAVOURED_TYPES = frozenset({
    "review", "systematic review", "meta-analysis", "randomized controlled trial",
    "clinical trial", "practice guideline", "guideline",
})  # fmt: skip


def sort_keys(pmid: int, fields: dict[str, object]) -> dict[str, int]:
    """The numeric sort keys of :data:`schema.SORT_KEYS` (a date, then the PMID, in one value)
    and Best Match's prior: recency points 0–10 (one point every eight years after 1945, by
    publication year) plus 4 for a favoured publication type."""
    dates = [d for d in (fields.get("dp"), fields.get("dep")) if isinstance(d, int) and d > 0]
    edat = fields.get("edat")
    earliest = min(dates) if dates else 0
    types = fields.get("pt") or ()
    favoured = any(t in FAVOURED_TYPES for t in types)  # type: ignore[attr-defined]
    recency = min(max(earliest // 10000 - 1945, 0) // 8, 10)
    return {
        "recent": (edat if isinstance(edat, int) else 0) * schema.PMID_SPAN + pmid,
        "pubdate": earliest * schema.PMID_SPAN + pmid,
        schema.PRIOR: recency + (4 if favoured else 0),
    }


# The compiled document writer: the same documents from the walker's field stream, without a
# Python object per value (``_cdocument.pyx``); absent when the extensions were not built.
encode_stream: StreamEncoder | None
try:
    from pubmirror.index._cdocument import configure, encode
except ImportError:  # pragma: no cover - a build without the extensions
    encode_stream = None
else:
    configure(KEYWORD_SET, FAVOURED_TYPES, schema.PMID_SPAN)
    encode_stream = encode
