"""The compiled extractor gives exactly the fields of the pure-Python reference, record by record.

``extract.search_fields`` is itself cross-checked against the full model (test_extract.py); this
file checks its compiled twin against it on every record we have, and that ingest uses the twin.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, SAMPLE_2020, SAMPLE_2021, SEED

from pubmirror.medline import extract
from pubmirror.medline.split import open_and_split, parse_chunk


def _shared_files() -> list[Path]:
    files = [SEED / "pubmed-15866703.xml"]
    for path in sorted(DATA.rglob("*.xml*")):
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if path.suffix == ".gz" or b"<PubmedArticle" in head or b"<MedlineCitation" in head:
            files.append(path)
    return files


def _differences(path: Path) -> tuple[int, list[str]]:
    from pubmirror.medline import _cwalk

    count, bad = 0, []
    for chunk in open_and_split(path):
        if chunk.tag == "DeleteCitation":
            continue
        elem = parse_chunk(str(path), chunk)
        expected, actual = extract.search_fields(elem), _cwalk.search_fields(elem)
        count += 1
        if expected != actual and len(bad) < 10:
            keys = set(expected[2]) | set(actual[2])
            diff = {k: (expected[2].get(k), actual[2].get(k)) for k in keys
                    if expected[2].get(k) != actual[2].get(k)}  # fmt: skip
            bad.append(f"PMID {expected[0]}: {diff or (expected[:2], actual[:2])}")
    return count, bad


def test_the_compiled_extractor_is_built_and_used() -> None:
    from pubmirror.medline import _cwalk

    assert extract.fast_search_fields is _cwalk.search_fields


def test_same_fields_on_the_shared_data() -> None:
    files = _shared_files()
    assert len(files) > 150, "shared test data not found"
    total = 0
    for path in files:
        count, bad = _differences(path)
        assert not bad, f"{path}: " + "\n".join(bad)
        total += count
    assert total > 850  # 604 + 163 + the Biopython, toolkit and PubMedPortable records


@pytest.mark.parametrize("name", [SAMPLE_2020, SAMPLE_2021])
def test_same_fields_on_the_sample(sample: Path, name: str) -> None:
    count, bad = _differences(sample / name)
    assert not bad, "\n".join(bad)
    assert count == {SAMPLE_2020: 30_000, SAMPLE_2021: 20_788}[name]


def test_malformed_input_is_refused_by_both() -> None:
    from lxml import etree

    from pubmirror.medline import _cwalk

    elem = etree.fromstring(b"<PubmedArticle><PubmedData/></PubmedArticle>")
    for search_fields in (extract.search_fields, _cwalk.search_fields):
        with pytest.raises(ValueError, match="no MedlineCitation"):
            search_fields(elem)


@pytest.mark.parametrize("month", [
    "Apr", "APR", "april", "Sept", "sep", " Jun", "Jun ", "Xyz", "Ju", "", "12", "04", "Dé", "Äpr",
])  # fmt: skip
def test_month_names_are_read_as_extract_reads_them(month: str) -> None:
    # The compiled walker reads plain three-letter names itself and asks extract.month_number
    # for the rest; either way the dates must be extract.py's.
    from lxml import etree

    from pubmirror.medline import _cwalk

    xml = (SEED / "pubmed-15866703.xml").read_bytes()
    edited = xml.replace(b"<Month>Apr</Month>", f"<Month>{month}</Month>".encode(), 1)
    assert edited != xml or month == "Apr"
    record = edited[edited.index(b"<PubmedArticle>"):edited.index(b"</PubmedArticle>") + 16]
    expected = extract.search_fields(etree.fromstring(record))
    assert _cwalk.search_fields(etree.fromstring(record)) == expected
    assert _cwalk.scan_fields(record) in (expected, None)  # None: declined, lxml reads it
    assert expected[2]["dp"] // 100 % 100 == extract.month_number(month)
