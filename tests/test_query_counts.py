"""Search counts on the whole sample against an evaluation written independently.

Why: the query pipeline (parser → resolver with automatic term mapping and MeSH → tantivy
compiler, over the fields ingest extracts) has many places where a count can go quietly wrong: a
field left out of a composite tag, a phrase that spans two values, a heading that does not
explode, an author prefix that matches too much, a date stored in the wrong field. The only
check that sees all of them at once is the count of real queries on real records, compared with
a second implementation of the documented semantics.

The second implementation is ``tests/query_reference.py``; what it evaluates is described there.

Run: ``PUBMIRROR_SAMPLE=.home/sample .venv/bin/python -m pytest -q tests/test_query_counts.py``
(parsing 50,788 records with the full model takes most of the time: about 75 CPU seconds,
spread over worker processes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from conftest import SampleHome, data_file

from pubmirror.service import Pubmirror
from query_reference import (
    AND,
    Corpus,
    Eval,
    NOT,
    OR,
    YMD,
    all_fields,
    author,
    dates,
    first_author,
    full_author,
    has_abstract,
    la,
    last_author,
    mh,
    mh_sub,
    near,
    phrase_prefix,
    pmids,
    read_sample,
    read_tree,
    sh,
    status,
    text,
    truncated,
    value,
)

TREE_FILE = "mesh/2017MeshTree.txt"
SAMPLE_RECORDS = 50_783
ALL_PMIDS = 100_000  # more than the sample holds: one page is every match

# --- the queries ----------------------------------------------------------------------------------
SLE = "lupus erythematosus, systemic"


def year(y: int) -> YMD:
    return (y, 0, 0)  # a bound without month and day: the whole year


def dp(low: int, high: int | None = None) -> Eval:
    return dates("dp", year(low), year(high or low))


QUERIES: list[tuple[str, Eval]] = [
    # the named queries
    (f'"{SLE}"[mh]', mh(SLE)),
    ("immunoglobulins, intravenous[mh]", mh("immunoglobulins, intravenous")),
    ("review[pt]", value("pt", "review")),
    ("2019:2020[dp]", dp(2019, 2020)),
    # MeSH: explosion, noexp, names the 2017 tree lacks, major topics, subheadings
    (f"{SLE}[mh]", mh(SLE)),
    (f"{SLE}[mh:noexp]", mh(SLE, explode=False)),
    ("neoplasms[mh]", mh("neoplasms")),
    ("neoplasms[mh:noexp]", mh("neoplasms", explode=False)),
    ("immunoglobulins[mh]", mh("immunoglobulins")),
    ("immunoglobulins[mh:noexp]", mh("immunoglobulins", explode=False)),
    ("Humans[MeSH Terms]", mh("humans")),
    ("haplorhini[mh]", mh("haplorhini")),
    ("covid-19[mh]", mh("covid-19")),  # not in the 2017 tree: by name, unexploded
    ("infection[mh]", mh("infection")),  # the 2017 name of D007239, which the records call …
    ("infections[mh]", mh("infections")),  # … by its later name: no UI, so by name
    ("infection/drug therapy[mh]", mh_sub("infection", "dt")),
    ("neoplasms[majr]", mh("neoplasms", major=True)),
    ("neoplasms[majr:noexp]", mh("neoplasms", explode=False, major=True)),
    ("liver[majr]", mh("liver", major=True)),
    (f"{SLE}/drug therapy[mh]", mh_sub(SLE, "drug therapy")),
    ("neoplasms/dt[mh]", mh_sub("neoplasms", "dt")),
    ("insulin/tu[mh]", mh_sub("insulin", "tu")),
    ("insulin/administration and dosage[mh]", mh_sub("insulin", "ad")),
    ("neoplasms/drug therapy[majr]", mh_sub("neoplasms", "drug therapy", major=True)),
    ("dt[sh]", sh("dt")),
    ("genetics[sh]", sh("genetics")),
    ("immunology[sh] AND liver[majr]", AND(sh("im"), mh("liver", major=True))),
    # text fields
    ("cancer[ti]", text("ti", "cancer")),
    ("CANCER [TITLE]", text("ti", "cancer")),
    ("covid-19[ti]", text("ti", "covid-19")),
    ('"heart failure"[ti]', text("ti", "heart failure", quoted=True)),
    ("heart failure[tiab]", text("tiab", "heart failure")),
    ("insulin rabbits[tiab]", text("tiab", "insulin rabbits")),
    ('"insulin rabbits"[tiab]', text("tiab", "insulin rabbits", quoted=True)),
    ("naive[tiab]", text("tiab", "naive")),
    ('"intravenous immunoglobulin"[tiab]', text("tiab", "intravenous immunoglobulin", True)),
    ("crispr*[tiab]", truncated("tiab", "crispr")),
    ("nanopart*[ti]", truncated("ti", "nanopart")),
    ('"heart fail*"[tiab]', phrase_prefix("tiab", "heart fail")),
    ('"novel prot*"[tiab]', phrase_prefix("tiab", "novel prot")),
    ("quality of life[tiab]", text("tiab", "quality of life")),
    ('"insulin secretion"[tiab:~3]', near("tiab", "insulin", "secretion", 3)),
    ("crispr[tiab]", text("tiab", "crispr")),
    ("prolactin[tw]", text("tw", "prolactin")),
    ("lupus nephritis[tw]", text("tw", "lupus nephritis")),
    ('"case reports"[tw]', text("tw", "case reports", quoted=True)),
    ("drug effects[tw]", text("tw", "drug effects")),
    ("harvard[ad]", text("ad", "harvard")),
    ('"university of tokyo"[ad]', text("ad", "university of tokyo", quoted=True)),
    ("beijing[ad] AND china[ad]", AND(text("ad", "beijing"), text("ad", "china"))),
    # keyword fields
    ("letter[pt]", value("pt", "letter")),
    ('"randomized controlled trial"[pt]', value("pt", "randomized controlled trial")),
    ("case reports[pt]", value("pt", "case reports")),
    ("english[la]", la("english")),
    ("german[la]", la("german")),
    ("rus[la]", la("rus")),
    ('"ajr am j roentgenol"[ta]', value("ta", "ajr am j roentgenol")),
    ("chemical science[ta]", value("ta", "chemical science")),
    ("0007-1447[ta]", value("ta", "0007-1447")),
    ("insulin[nm]", value("nm", "insulin")),
    ("immunoglobulin g[nm]", value("nm", "immunoglobulin g")),
    # authors
    ("wang y[au]", author("wang y")),
    ("wang[au]", author("wang")),
    ('"wang y"[au]', author("wang y", quoted=True)),
    ("Smith J.[au]", author("smith j")),
    ("müller[au]", author("müller")),
    ("zhang wei[fau]", full_author("zhang wei")),
    ("wei zhang[fau]", full_author("wei zhang")),
    ("zhang, wei[fau]", full_author("zhang, wei")),
    ('"wang, jing"[fau]', full_author("wang, jing", quoted=True)),
    ("wang y[1au]", first_author("wang y")),
    ("zhang y[lastau]", last_author("zhang y")),
    ("li j[1au] NOT li j[lastau]", NOT(first_author("li j"), last_author("li j"))),
    # dates
    ("2019[dp]", dp(2019)),
    ("1977:1978[dp]", dp(1977, 1978)),
    ("1979/04[dp]", dates("dp", (1979, 4, 0), (1979, 4, 0))),  # also "Spring 1979"
    ("1979/01:1979/02[dp]", dates("dp", (1979, 1, 0), (1979, 2, 0))),  # and "1979" alone
    ("2021/03/01[dp]", dates("dp", (2021, 3, 1), (2021, 3, 1))),  # and "2021 Mar"
    ("2020/06:2020/12[edat]", dates("edat", (2020, 6, 0), (2020, 12, 0))),
    ("2021/01/15:2021/02/15[crdt]", dates("crdt", (2021, 1, 15), (2021, 2, 15))),
    ("1979[dcom]", dates("dcom", year(1979), year(1979))),
    ("2013:2014[lr]", dates("lr", year(2013), year(2014))),
    ("2021[edat] AND 2020[dp]", AND(dates("edat", year(2021), year(2021)), dp(2020))),
    ("2020/12/01:2020/12/31[crdt] NOT 2020/12[edat]",
     NOT(dates("crdt", (2020, 12, 1), (2020, 12, 31)),
         dates("edat", (2020, 12, 0), (2020, 12, 0)))),
    # subsets, flags, PMIDs, an untagged word
    ("medline[sb]", status("medline")),
    ("hasabstract", has_abstract()),
    ("hasabstract NOT medline[sb]", NOT(has_abstract(), status("medline"))),
    ("covid", all_fields("covid")),
    ("crispr", all_fields("crispr")),
    ("399296[pmid]", pmids(399296)),
    ("399296 34097368[pmid]", pmids(399296, 34097368)),
    ("30271887[pmid] OR 424555[uid]", pmids(30271887, 424555)),
    ("31688362[pmid]", pmids(31688362)),  # deleted by the 2021 file's DeleteCitation
    ("30271887", pmids(30271887)),  # a bare number is a PMID
    # Boolean: strictly left to right, parentheses
    ("cancer[ti] AND review[pt]", AND(text("ti", "cancer"), value("pt", "review"))),
    ("cancer[ti] OR tumor[ti] NOT review[pt]",
     NOT(OR(text("ti", "cancer"), text("ti", "tumor")), value("pt", "review"))),
    ("cancer[ti] NOT review[pt] OR letter[pt]",
     OR(NOT(text("ti", "cancer"), value("pt", "review")), value("pt", "letter"))),
    ("cancer[ti] NOT (review[pt] OR letter[pt])",
     NOT(text("ti", "cancer"), OR(value("pt", "review"), value("pt", "letter")))),
    ("humans[mh] AND (rats[mh] OR mice[mh])",
     AND(mh("humans"), OR(mh("rats"), mh("mice")))),
    ("humans[mh] NOT (female[mh] OR male[mh])",
     NOT(mh("humans"), OR(mh("female"), mh("male")))),
    (f"{SLE}[mh] AND immunoglobulins, intravenous[mh]",
     AND(mh(SLE), mh("immunoglobulins, intravenous"))),
    ("neoplasms[mh] NOT neoplasms[mh:noexp]",
     NOT(mh("neoplasms"), mh("neoplasms", explode=False))),
    ("(english[la] OR german[la]) AND 1977:1978[dp] NOT letter[pt]",
     NOT(AND(OR(la("english"), la("german")), dp(1977, 1978)), value("pt", "letter"))),
    ("wang y[au] AND 2021[dp] AND hasabstract",
     AND(author("wang y"), dp(2021), has_abstract())),
    ("review[pt] AND 2019:2020[dp] AND neoplasms[majr]",
     AND(value("pt", "review"), dp(2019, 2020), mh("neoplasms", major=True))),
]  # fmt: skip


# --- the tests ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus(sample: Path) -> Corpus:
    """The evaluator's view of the sample (built before the service is touched)."""
    return Corpus(read_sample(sample), read_tree(data_file(TREE_FILE)))


class Expected:
    """Each query's evaluation, computed once."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.found: dict[str, frozenset[int]] = {}

    def __call__(self, query: str, evaluate: Eval) -> frozenset[int]:
        if query not in self.found:
            self.found[query] = evaluate(self.corpus)
        return self.found[query]


@pytest.fixture(scope="module")
def expected(corpus: Corpus) -> Expected:
    return Expected(corpus)


@pytest.fixture(scope="module")
def service(corpus: Corpus, sample_home: SampleHome) -> Iterator[Pubmirror]:
    """The ingested sample with the 2017 tree loaded (loading replaces: safe to repeat)."""
    with Pubmirror(sample_home.path) as s:
        s.load_mesh([data_file(TREE_FILE)])
        assert s.mesh.loaded
        yield s


def search_all(service: Pubmirror, query: str) -> tuple[int, set[int]]:
    result = service.search(query, limit=ALL_PMIDS)
    assert not result.errors, result.errors
    assert len(result.pmids) == len(set(result.pmids)) == result.count, query
    return result.count, set(result.pmids)


def _sample(pmids: Iterable[int]) -> list[int]:
    return sorted(pmids)[:5]


# A documented deviation (docs/search.md): tantivy leaves a single position between the values of
# a field, so a proximity search can match across two affiliations or two keywords of a record,
# where PubMed keeps [ad] proximity within one affiliation.
CROSS_VALUE: list[tuple[str, Eval]] = [
    ('"heart failure"[tiab:~2]', near("tiab", "heart", "failure", 2)),  # 262 vs 261
    ('"usa department"[ad:~1]', near("ad", "usa", "department", 1)),  # 1,872 vs 301
]


@pytest.mark.parametrize(("query", "evaluate"), CROSS_VALUE, ids=[q for q, _ in CROSS_VALUE])
def test_proximity_may_span_two_values(
    query: str, evaluate: Eval, expected: Expected, service: Pubmirror
) -> None:
    """Every record the evaluation finds is found, plus some whose words sit in two values."""
    want = expected(query, evaluate)
    _, found = search_all(service, query)
    assert want < found


@pytest.mark.parametrize(("query", "evaluate"), QUERIES, ids=[q for q, _ in QUERIES])
def test_count_matches_evaluation(
    query: str, evaluate: Eval, expected: Expected, service: Pubmirror
) -> None:
    want = expected(query, evaluate)
    count, found = search_all(service, query)
    assert count == len(want), (
        f"{query}: search {count}, evaluation {len(want)}; only in search {_sample(found - want)},"
        f" only in evaluation {_sample(want - found)}"
    )
    assert found == want, f"{query}: same count, other PMIDs: {_sample(found ^ want)}"


def test_evaluator_sees_the_indexed_records(corpus: Corpus, service: Pubmirror) -> None:
    """Same records on both sides: the ingest rules (versions, ranks, deletions) agree."""
    assert len(corpus.docs) == SAMPLE_RECORDS == service.stats().records
    everything = service.search("", limit=ALL_PMIDS)  # an empty query lists every record
    assert everything.count == SAMPLE_RECORDS
    assert set(everything.pmids) == corpus.docs.keys()


def test_queries_are_not_vacuous(expected: Expected) -> None:
    counts = [len(expected(query, evaluate)) for query, evaluate in QUERIES]
    assert len(QUERIES) >= 60
    assert len({q for q, _ in QUERIES}) == len(QUERIES)
    assert sum(n > 0 for n in counts) >= 50
    assert sum(0 < n < SAMPLE_RECORDS // 2 for n in counts) >= 40  # selective, not everything


TAGS = (
    "[ti]", "[tiab]", "[tw]", "[ad]", "[mh]", "[mh:noexp]", "[majr]", "[sh]", "/", "[pt]", "[la]",
    "[ta]", "[nm]", "[au]", "[fau]", "[1au]", "[lastau]", "[dp]", "[edat]", "[crdt]", "[dcom]",
    "[lr]", "[sb]", "[pmid]", ":~", "*", "hasabstract", " AND ", " OR ", " NOT ", "(",
)  # fmt: skip


@pytest.mark.parametrize("tag", TAGS)
def test_every_tag_family_is_queried(tag: str) -> None:
    assert any(tag in q for q, _ in QUERIES)


EXPLODED = [(SLE, "mh"), ("neoplasms", "mh"), ("immunoglobulins", "mh"), ("neoplasms", "majr")]


@pytest.mark.parametrize(("heading", "tag"), EXPLODED)
def test_explosion_only_widens(heading: str, tag: str, service: Pubmirror) -> None:
    _, exploded = search_all(service, f"{heading}[{tag}]")
    _, alone = search_all(service, f"{heading}[{tag}:noexp]")
    assert alone <= exploded


def test_explosion_adds_records(service: Pubmirror) -> None:
    wider = [search_all(service, f"{h}[{t}]")[0] > search_all(service, f"{h}[{t}:noexp]")[0]
             for h, t in EXPLODED]  # fmt: skip
    assert sum(wider) >= 2
