"""Ingest's fast path gives the same index documents as the fields dict does, record by record.

Ingest no longer builds a fields dict for records the scanner accepts: ``_cwalk.scan_stream``
writes the fields as bytes and the tantivy backend's compiled writer (``_cdocument.encode``)
turns them into the JSON document. Both halves are checked against the reference path,
``document_json(scan_fields(...))``, itself checked against lxml and the full model elsewhere
(test_scan.py, test_cwalk.py, test_extract.py): on every real record we have, on thousands of
mutated ones, and through a real ingest.
"""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest
from conftest import SAMPLE_2020, SAMPLE_2021, SEED
from test_cwalk import _shared_files
from test_scan import FUZZ_SEED, _label, _records, mutate

from pubmirror.index import tantivy_index
from pubmirror.index.tantivy_index import TantivyIndex, document_json
from pubmirror.medline import extract
from pubmirror.service.app import Pubmirror

pytest.importorskip("pubmirror.index._cdocument")
from pubmirror.index import _cdocument  # noqa: E402
from pubmirror.medline import _cwalk  # noqa: E402


def _disagreement(data: bytes) -> str:
    """What differs between the two paths for one record's bytes ("" when nothing)."""
    try:
        fields = _cwalk.scan_fields(data)
    except ValueError as exc:
        fields_error = str(exc)
    else:
        fields_error = ""
    try:
        streamed = _cwalk.scan_stream(data)
    except ValueError as exc:
        return "" if str(exc) == fields_error else f"stream raised {exc!r}, fields {fields_error!r}"
    if fields_error:
        return f"fields raised {fields_error!r}, stream did not"
    if fields is None or streamed is None:
        return "" if fields is None and streamed is None else f"declined: {fields is None}, {streamed is None}"
    if fields[:2] != streamed[:2]:
        return f"keys {fields[:2]} != {streamed[:2]}"
    expected = orjson.loads(document_json(fields[0], fields[2]))
    got = orjson.loads(_cdocument.encode(streamed[0], streamed[2]))
    if got != expected:
        diff = {k: (expected.get(k), got.get(k)) for k in expected.keys() | got.keys()
                if expected.get(k) != got.get(k)}  # fmt: skip
        return f"documents differ: {diff}"
    return ""


def _check(records: list[bytes]) -> int:
    bad = [f"{_label(d)}: {p}" for d in records if (p := _disagreement(d))]
    assert not bad, "\n".join(bad[:10])
    return len(records)


def test_same_documents_on_the_shared_data() -> None:
    records = [d for path in _shared_files() for d in _records(path)]
    assert _check(records) > 850


@pytest.mark.parametrize("name", [SAMPLE_2020, SAMPLE_2021])
def test_same_documents_on_the_sample(sample: Path, name: str) -> None:
    records = list(_records(sample / name))
    assert _check(records) == {SAMPLE_2020: 30_000, SAMPLE_2021: 20_788}[name]


def test_same_documents_on_mutated_records(sample: Path) -> None:
    """Edits at the places a hand-written walker gets wrong: whatever the scanner accepts, both
    paths agree on, and they decline and refuse alike."""
    rng = random.Random(FUZZ_SEED + 1)
    records = rng.sample(list(_records(sample / SAMPLE_2020)), 600)
    records += [d for p in _shared_files() for d in _records(p) if not d.startswith(b"<PubmedBook")]
    mutated = [mutate(rng, d)[0] for d in records for _ in range(4)]
    accepted = sum(_cwalk.scan_stream(d) is not None for d in mutated if _scans(d))
    _check(mutated)
    # Most edits break the XML (the scanner then declines); measured: 854 of 5,980 still read.
    assert accepted > 500


def _scans(data: bytes) -> bool:
    try:
        return _cwalk.scan_fields(data) is not None
    except ValueError:
        return False


def test_values_needing_python_rules_agree() -> None:
    """Non-ASCII values are stripped, lower-cased and split by Python's own rules, and tabs,
    newlines, quotes and backslashes are escaped in the JSON."""
    seed = next(_records(SEED / "pubmed-15866703.xml"))
    edits = {
        b"<LastName>": b"<LastName>\xc3\x89\xc2\xa0",  # É, then a no-break space (Unicode space)
        b"<Language>eng": b"<Language>\xe2\x80\x83ENG\xc4\xb0",  # em space; İ lowers to 2 chars
        b"<ArticleTitle>": b"<ArticleTitle>\x09tab\n\"quote\\ &amp;",
        b"<Keyword MajorTopicYN=\"N\">": b"<Keyword MajorTopicYN=\"N\">\xe2\x80\xa8 ",
    }
    data = seed
    for old, new in edits.items():
        if old in data:
            data = data.replace(old, new, 1)
    assert data != seed
    assert _cwalk.scan_fields(data) is not None
    assert not _disagreement(data)


def test_ingest_takes_the_fast_path(tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path / "index")
    assert index.stream_encoder is _cdocument.encode
    assert extract.scan_stream is _cwalk.scan_stream
    index.close()
    with Pubmirror(tmp_path / "home") as app:
        app.ingest([SEED / "pubmed-15866703.xml"])
        assert app.search("15866703[pmid]").pmids == [15866703]


def test_encoder_is_configured_from_the_schema() -> None:
    # configure() ran at import with the backend's own tables; a keyword tag unknown to the
    # walker would be silently unindexed, so the walker's keys must cover the schema's.
    assert set(tantivy_index.schema.KEYWORD) - set(_cwalk.KEY_NAMES) <= {"isbn", "ed", "fed"}
