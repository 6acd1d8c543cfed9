"""The PubMed query parser (stage one of the query language), sqlglot style: tables of cases.

Each case is ``(query, dump of the tree, diagnostic codes)``; ``dump`` prints operators as
``AND(left, right)``, groups as ``Group(...)`` and leaves as normalized PubMed syntax.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pubmirror.query import (
    CODES, FIELDS, BinaryOp, Field, Node, ParseResult, Range, RelativeDate, Term, dump, is_stopword,
    lookup, parse, to_query, walk,
)  # fmt: skip
from pubmirror.query.stopwords import LEGACY_STOPWORDS, STOPWORDS

DOCS = Path(__file__).resolve().parents[1] / "docs" / "search.md"

# (query, expected dump or None for no tree, expected diagnostic codes in position order)
CASES: list[tuple[str, str | None, tuple[str, ...]]] = [
    # terms and phrases
    ("lupus", "lupus", ()),
    ("lupus nephritis", "lupus nephritis", ()),
    ("vitamin c common cold", "vitamin c common cold", ()),
    ('"heart attack"', '"heart attack"', ()),
    ("\u201cheart attack\u201d[ti]", '"heart attack"[ti]', ()),
    ('"heart attack" risk', 'AND("heart attack", risk)', ()),
    ('heart "attack"', 'AND(heart, "attack")', ()),
    ("kidney allograft[tiab]", "kidney allograft[tiab]", ()),
    ("smith j[au]", "smith j[au]", ()),
    ("o'brien jc jr[au]", "o'brien jc jr[au]", ()),
    ('"o\'brien j" [au]', '"o\'brien j"[au]', ()),
    ("covid-19[ti] vaccine[ti] children[ti]",
     "AND(AND(covid-19[ti], vaccine[ti]), children[ti])", ()),
    ("crabs [mh]", "crabs[mh]", ()),
    ("Crabs[MH]", "Crabs[mh]", ()),
    ("just by[au] seizure", "AND(just by[au], seizure)", ()),
    # operators: upper case only, strictly left to right
    ("a AND b", "AND(a, b)", ()),
    ("a OR b", "OR(a, b)", ()),
    ("a NOT b", "NOT(a, b)", ()),
    ("a and b", "a and b", ()),
    ("a Or b", "a Or b", ()),
    ("ANDROGEN NOTCH1 ORAL", "ANDROGEN NOTCH1 ORAL", ()),
    ("a OR b AND c", "AND(OR(a, b), c)", ()),
    ("a AND b OR c NOT d", "NOT(OR(AND(a, b), c), d)", ()),
    ("a OR (b AND c)", "OR(a, Group(AND(b, c)))", ()),
    ("(a OR b) AND c", "AND(Group(OR(a, b)), c)", ()),
    ("((a OR b) NOT (c))", "Group(NOT(Group(OR(a, b)), Group(c)))", ()),
    ("a OR(b)", "OR(a, Group(b))", ()),
    ("a & b | c", "OR(AND(a, b), c)", ()),
    ("a&b", "AND(a, b)", ()),
    ("a[ti] b[ti]", "AND(a[ti], b[ti])", ()),
    ("(a) b", "AND(Group(a), b)", ()),
    ("air AND bladder AND fistula", "AND(AND(air, bladder), fistula)", ()),
    # history
    ("#3", "#3", ()),
    ("#1 AND cat", "AND(#1, cat)", ()),
    ("#0 AND english[la]", "AND(#0, english[la])", ()),
    ("#1 OR #2 NOT #12", "NOT(OR(#1, #2), #12)", ()),
    ("cancer #3", "AND(cancer, #3)", ()),
    ("#a c#", "#a c#", ()),
    # truncation
    ("immun*", "immun*", ()),
    ("colo*", "colo*", ()),
    ("organi*ation*", "organi*ation*", ()),
    ('"breast feed*"', '"breast feed*"', ()),
    ('"colo* cancer*"', '"colo* cancer*"', ()),
    ("breast feed*[tiab]", "breast feed*[tiab]", ()),
    ("breast-feed*", "breast-feed*", ()),
    ("heart attack*", "heart attack*", ()),
    ("imm*", "imm", ("truncation-too-short",)),
    ("ab*cdef", "ab cdef", ("truncation-too-short",)),
    ('"breast fe*"', '"breast fe"', ("truncation-too-short",)),
    ("AND*", "and", ("truncation-too-short",)),
    ("*", None, ("truncation-too-short", "empty-term", "empty-query")),
    # proximity
    ('"rationing healthcare"[Title:~2]', '"rationing healthcare"[ti:~2]', ()),
    ('"patient physician relationship"[Title/Abstract:~0]',
     '"patient physician relationship"[tiab:~0]', ()),
    ('"Hopkins Bloomberg Public"[ad:~45]', '"Hopkins Bloomberg Public"[ad:~45]', ()),
    ('"Hopkins Bloomberg Public"[affiliation:~1000]', '"Hopkins Bloomberg Public"[ad:~1000]', ()),
    ('"hip pain"[ti:~4] AND stretching', 'AND("hip pain"[ti:~4], stretching)', ()),
    ('"rock AND roll"[tiab : ~ 3]', '"rock AND roll"[tiab:~3]', ()),
    ('"a b"[au:~3]', '"a b"[au]', ("proximity-not-allowed",)),
    ('"a b"[mh:~3]', '"a b"[mh]', ("proximity-not-allowed",)),
    ("a b[ti:~2]", "a b[ti]", ("bad-proximity",)),
    ('"asthma"[ti:~2]', '"asthma"[ti]', ("bad-proximity",)),
    ('"heart attack*"[ti:~2]', '"heart attack*"[ti]', ("bad-proximity",)),
    ('"a b"[ti:~x]', '"a b"[ti]', ("bad-proximity",)),
    # :noexp
    ("neoplasms[mh:noexp]", "neoplasms[mh:noexp]", ()),
    ("hypertension [majr:noexp]", "hypertension[majr:noexp]", ()),
    ("therapy[sh:noexp]", "therapy[sh:noexp]", ()),
    ("review [pt:noexp]", "review[pt:noexp]", ()),
    ("neoplasms[MeSH Terms:NoExp]", "neoplasms[mh:noexp]", ()),
    ("cancer[ti:noexp]", "cancer[ti]", ("noexp-not-allowed",)),
    ("cancer[ti:foo]", "cancer[ti]", ("unknown-tag",)),
    # subheadings
    ("aspirin/tu[mh]", "aspirin/tu[mh]", ()),
    ("neoplasms/diet therapy[mh]", "neoplasms/diet therapy[mh]", ()),
    ("plants/genetics[majr]", "plants/genetics[majr]", ()),
    ("hypertension/therapy [mh:noexp]", "hypertension/therapy[mh:noexp]", ()),
    ("dh [sh]", "dh[sh]", ()),
    ("diet therapy[sh]", "diet therapy[sh]", ()),
    ("neoplasms/dh", "neoplasms/dh", ()),
    ("genbank/AF001892[si]", "genbank/AF001892[si]", ()),
    ("/tu[mh]", "/tu[mh]", ("bad-subheading",)),
    ("aspirin/[mh]", "aspirin/[mh]", ("bad-subheading",)),
    ("a/b/c[mh]", "a/b/c[mh]", ("bad-subheading",)),
    # dates, single and ranges (the forms in the guide)
    ("2000[dp]", "2000[dp]", ()),
    ("1998/03/06 [dp]", "1998/03/06[dp]", ()),
    ("1998/03[dp]", "1998/03[dp]", ()),
    ("2000/03/15 [mhda]", "2000/03/15[mhda]", ()),
    ("1996:1998[dp]", "1996:1998[dp]", ()),
    ("1998/01:1998/04[dp]", "1998/01:1998/04[dp]", ()),
    ("2000/01/01:2005/06[dp]", "2000/01/01:2005/06[dp]", ()),
    ("2000:2000[dp]", "2000:2000[dp]", ()),
    ("1999:2000 [mhda]", "1999:2000[mhda]", ()),
    ("2000/03:2000/04[mhda]", "2000/03:2000/04[mhda]", ()),
    ('"2015/01/01"[dp] : "3000"[dp]', "2015/01/01:3000[dp]", ()),
    ('"2020/01/01"[dp]:"2020/12/31"[dp]', "2020/01/01:2020/12/31[dp]", ()),
    ("2015/01/01[pdat] : 2016[pdat]", "2015/01/01:2016[dp]", ()),
    ("2025/09/27:2025/11/26[Date - Entry]", "2025/09/27:2025/11/26[edat]", ()),
    ("cancer 2000:2005[dp]", "AND(cancer, 2000:2005[dp])", ()),
    ("cancer AND 2000:2005[dp] lung", "AND(AND(cancer, 2000:2005[dp]), lung)", ()),
    ("1:10[pg]", "1:10[pg]", ()),
    ("2000:2005", "2000:2005", ("bad-range",)),
    ("2000[dp]:2005[edat]", "2000:2005[edat]", ("bad-range",)),
    ("2000:", "2000", ("bad-range",)),
    (":2000[dp]", "2000[dp]", ("bad-range",)),
    ('"":""[dp]', None, ("bad-range", "empty-query")),
    ("2000/13:2005[dp]", "2000/13:2005[dp]", ("bad-date",)),
    ("foo[dp]", "foo[dp]", ("bad-date",)),
    ("2000-01-01[dp]", "2000-01-01[dp]", ("bad-date",)),
    # relative dates
    ('"last 5 years"[dp]', '"last 5 years"[dp]', ()),
    ('"last 30 days"[edat]', '"last 30 days"[edat]', ()),
    ('"last 6 months"[crdt]', '"last 6 months"[crdt]', ()),
    ('"last 1 year"[dp]', '"last 1 year"[dp]', ()),
    ('"last year"[dp]', '"last 1 year"[dp]', ()),
    ('"Last 10 Years"[Publication Date]', '"last 10 years"[dp]', ()),
    ("last 5 years[dp]", '"last 5 years"[dp]', ()),
    ('"last five years"[dp]', '"last five years"[dp]', ("bad-date",)),
    ('"last 5 years"[ti]', '"last 5 years"[ti]', ()),
    # leniency
    ("", None, ("empty-query",)),
    ("   ", None, ("empty-query",)),
    ("AND", None, ("dangling-operator", "empty-query")),
    ("OR OR", None, ("dangling-operator", "empty-query", "dangling-operator")),
    ("AND a", "a", ("dangling-operator",)),
    ("NOT a", "a", ("dangling-operator",)),
    ("a AND", "a", ("dangling-operator",)),
    ("a AND OR b", "OR(a, b)", ("dangling-operator",)),
    ("(a AND) b", "AND(Group(a), b)", ("dangling-operator",)),
    ("(a OR b", "Group(OR(a, b))", ("unbalanced-paren",)),
    ("((a)", "Group(Group(a))", ("unbalanced-paren",)),
    ("a))", "a", ("unbalanced-paren", "unbalanced-paren")),
    ("a) OR b", "OR(a, b)", ("unbalanced-paren",)),
    ("()", None, ("empty-group", "empty-query")),
    ("a () b", "AND(a, b)", ("empty-group",)),
    ('"heart attack', '"heart attack"', ("unclosed-quote",)),
    ('a "b c', 'AND(a, "b c")', ("unclosed-quote",)),
    ('""', None, ("empty-term", "empty-query")),
    ('a "" b', "AND(a, b)", ("empty-term",)),
    ("cancer[ti", "cancer[ti]", ("unbalanced-bracket",)),
    ("cancer] lung", "cancer lung", ("unbalanced-bracket",)),
    ("[ti] cancer", "cancer", ("misplaced-tag",)),
    ("cancer[ti][tiab]", "cancer[ti]", ("misplaced-tag",)),
    ("(a OR b)[ti]", "Group(OR(a, b))", ("misplaced-tag",)),
    ("#1[ti]", "#1", ("misplaced-tag",)),
    ("a AND [ti] b", "AND(a, b)", ("misplaced-tag",)),
    ("cancer[xyz] AND lung", "AND(cancer, lung)", ("unknown-tag",)),
    ("biomarker[ab]", "biomarker", ("unknown-tag",)),
    ("cancer[]", "cancer", ("unknown-tag",)),
    ("(a OR [xx] b) AND (", "Group(OR(a, b))",
     ("misplaced-tag", "dangling-operator", "unbalanced-paren", "empty-group")),
]  # fmt: skip
IDS = [c[0] or "<empty>" for c in CASES]


@pytest.mark.parametrize(("query", "expected", "codes"), CASES, ids=IDS)
def test_parse(query: str, expected: str | None, codes: tuple[str, ...]) -> None:
    result = parse(query)
    assert (dump(result.tree) if result.tree else None) == expected
    assert result.codes == codes


@pytest.mark.parametrize("query", [c[0] for c in CASES if c[1] is not None])
def test_normalized_query_parses_back_to_the_same_tree(query: str) -> None:
    tree = parse(query).tree
    assert tree is not None
    again = parse(to_query(tree))
    assert again.tree is not None
    assert dump(again.tree) == dump(tree)
    assert to_query(again.tree) == to_query(tree)
    # what the parser repaired or dropped is gone; only judgements on kept values remain
    assert set(again.codes) <= {"bad-date", "bad-range", "bad-subheading"}


# -- field tags ---------------------------------------------------------------------------


def _case_variants(spelling: str) -> set[str]:
    return {spelling, spelling.lower(), spelling.upper(), spelling.title()}


def _value_for(field_tag: str) -> str:
    field = lookup(field_tag)
    assert field is not None
    return "2020/01" if field.date else "cancer"


@pytest.mark.parametrize("field", FIELDS, ids=[f.tag for f in FIELDS])
def test_every_spelling_of_every_tag_maps_to_its_canonical_tag(field: Field) -> None:
    for spelling in field.spellings:
        for variant in _case_variants(spelling):
            query = f"{_value_for(field.tag)}[{variant}]"
            result = parse(query)
            assert isinstance(result.tree, Term), query
            assert result.tree.field == field.tag, query
            assert result.codes == (), query
            assert to_query(result.tree).endswith(f"[{field.tag}]")


@pytest.mark.parametrize(("spelling", "tag"), [
    ("ti", "ti"), ("title", "ti"), ("tiab", "tiab"), ("title/abstract", "tiab"),
    ("Title / Abstract", "tiab"), ("mh", "mh"), ("mesh terms", "mh"), ("MeSH", "mh"),
    ("majr", "majr"), ("MeSH Major Topic", "majr"), ("sh", "sh"), ("pt", "pt"),
    ("Publication Type", "pt"), ("au", "au"), ("author", "au"), ("1au", "1au"),
    ("lastau", "lastau"), ("fau", "fau"), ("dp", "dp"), ("pdat", "dp"),
    ("publication date", "dp"), ("Date \u2013 Publication", "dp"), ("edat", "edat"),
    ("crdt", "crdt"), ("mhda", "mhda"), ("dcom", "dcom"), ("lr", "lr"), ("epdat", "epdat"),
    ("ppdat", "ppdat"), ("ta", "ta"), ("journal", "ta"), ("jour", "ta"), ("sb", "sb"),
    ("filter", "sb"), ("subset", "sb"), ("all", "all"), ("all fields", "all"),
    ("ALLFIELDS", "all"), ("tw", "tw"), ("text word", "tw"), ("text words", "tw"),
    ("pmid", "pmid"), ("uid", "pmid"), ("ad", "ad"), ("affiliation", "ad"), ("la", "la"),
    ("nm", "nm"), ("pa", "pa"), ("gr", "gr"), ("ot", "ot"), ("rn", "rn"), ("si", "si"),
])  # fmt: skip
def test_tag_spellings_named_in_the_guide(spelling: str, tag: str) -> None:
    field = lookup(spelling)
    assert field is not None and field.tag == tag
    tree = parse(f"x [{spelling}]").tree
    assert tree is not None and to_query(tree).endswith(f"[{tag}]")


@pytest.mark.parametrize("spelling", ["ab", "abstract", "so", "is", "issn", "xyz", ""])
def test_tags_pubmed_does_not_have_are_unknown(spelling: str) -> None:
    assert lookup(spelling) is None
    result = parse(f"lung[{spelling}]")
    assert result.codes == ("unknown-tag",)
    assert result.tree == Term(("lung",), (0, len(spelling) + 6))


def test_tag_table_is_unambiguous_and_canonical_tags_are_short() -> None:
    tags = [f.tag for f in FIELDS]
    assert len(tags) == len(set(tags))
    assert all(t == t.lower() and " " not in t for t in tags)
    assert {f.tag for f in FIELDS if f.proximity} == {"ti", "tiab", "ad"}
    assert {f.tag for f in FIELDS if f.explodes} == {"mh", "majr", "sh", "pt"}
    assert {f.tag for f in FIELDS if f.subheadings} == {"mh", "majr"}
    assert {f.tag for f in FIELDS if f.date} == {
        "dp", "edat", "crdt", "mhda", "dcom", "lr", "epdat", "ppdat"}  # fmt: skip


@pytest.mark.parametrize("field", FIELDS, ids=[f.tag for f in FIELDS])
def test_options_are_allowed_only_where_pubmed_allows_them(field: Field) -> None:
    near = parse(f'"gene therapy"[{field.tag}:~3]')
    assert ("proximity-not-allowed" in near.codes) is not field.proximity
    assert isinstance(near.tree, Term) and near.tree.tag is not None
    assert near.tree.proximity == (3 if field.proximity else None)
    noexp = parse(f"{_value_for(field.tag)}[{field.tag}:noexp]")
    assert noexp.codes == (() if field.explodes else ("noexp-not-allowed",))
    assert isinstance(noexp.tree, Term) and noexp.tree.tag is not None
    assert noexp.tree.tag.noexp is field.explodes


# -- node fields --------------------------------------------------------------------------


def test_term_fields() -> None:
    term = parse('"breast feed*"[tiab]').tree
    assert isinstance(term, Term)
    assert (term.words, term.quoted, term.wildcard, term.field) == (
        ("breast", "feed*"), True, True, "tiab")  # fmt: skip
    term = parse("aspirin/therapeutic use[mh:noexp]").tree
    assert isinstance(term, Term) and term.tag is not None
    assert (term.words, term.subheading, term.tag.noexp) == (("aspirin",), "therapeutic use", True)
    term = parse('"hip pain"[ti:~4]').tree
    assert isinstance(term, Term) and term.proximity == 4 and not term.wildcard
    term = parse("imm*").tree
    assert isinstance(term, Term) and not term.wildcard


def test_range_relative_date_and_implicit_and_fields() -> None:
    node = parse('"2015/01/01"[dp] : "3000"[dp]').tree
    assert isinstance(node, Range) and node.tag is not None
    assert (node.low, node.high, node.tag.field) == ("2015/01/01", "3000", "dp")
    node = parse('"last 30 days"[edat]').tree
    assert isinstance(node, RelativeDate) and (node.count, node.unit) == (30, "day")
    node = parse("a[ti] b").tree
    assert isinstance(node, BinaryOp) and node.implicit and node.op_span is None
    node = parse("a | b").tree
    assert isinstance(node, BinaryOp) and not node.implicit and node.op == "OR"
    assert node.op_span == (2, 3)


# -- spans --------------------------------------------------------------------------------

SPAN_CASES: list[tuple[str, list[str]]] = [
    ("a OR b AND c", ["a OR b AND c", "a OR b", "a", "b", "c"]),
    ('(lupus nephritis) AND "heart attack"[tiab:~2]',
     ['(lupus nephritis) AND "heart attack"[tiab:~2]', "(lupus nephritis)", "lupus nephritis",
      '"heart attack"[tiab:~2]']),
    ("smith j [au]  cancer", ["smith j [au]  cancer", "smith j [au]", "cancer"]),
    ('  "2015/01/01"[dp] : "3000"[dp] ', ['"2015/01/01"[dp] : "3000"[dp]']),
    ("cancer 2000:2005[dp]", ["cancer 2000:2005[dp]", "cancer", "2000:2005[dp]"]),
    ("#1 NOT (x)", ["#1 NOT (x)", "#1", "(x)", "x"]),
    ('"last 5 years"[dp] AND aspirin/tu[mh]',
     ['"last 5 years"[dp] AND aspirin/tu[mh]', '"last 5 years"[dp]', "aspirin/tu[mh]"]),
]  # fmt: skip


@pytest.mark.parametrize(("query", "sources"), SPAN_CASES)
def test_node_spans_are_their_source_text(query: str, sources: list[str]) -> None:
    result = parse(query)
    assert result.tree is not None
    assert [result.source(n.span) for n in walk(result.tree)] == sources


def test_tag_and_diagnostic_spans_point_at_the_source() -> None:
    result = parse('"breast fe*"[tiab] AND x[foo]')
    assert [result.source(d.span) for d in result.diagnostics] == ["fe*", "[foo]"]
    term = parse("cancer [Title/Abstract:~0]").tree
    assert isinstance(term, Term) and term.tag is not None
    assert parse("cancer [Title/Abstract:~0]").source(term.tag.span) == "[Title/Abstract:~0]"
    unclosed = parse("(a OR b")
    assert [unclosed.source(d.span) for d in unclosed.diagnostics] == ["("]


CLEAN = [c[0] for c in CASES if not c[2]] + [s[0] for s in SPAN_CASES]


@pytest.mark.parametrize("query", CLEAN)
def test_every_node_reparses_from_its_own_span(query: str) -> None:
    """The span invariant: each node's source text alone parses to that same node."""
    result = parse(query)
    assert result.tree is not None
    assert result.source(result.tree.span) == query.strip()
    for node in walk(result.tree):
        alone = parse(result.source(node.span))
        assert alone.tree is not None and alone.codes == ()
        assert dump(alone.tree) == dump(node)


# -- leniency: random input never raises, and the output is consistent ---------------------

PIECES = [
    "a", "b", "AND", "OR", "NOT", "and", "(", ")", '"', "\u201c", "[ti]", "[mh:noexp]", "[xx",
    "]", ":", "#1", "#", "*", "imm*", "immun*", "2000", "[dp]", "/", "aspirin/tu", "[mh]",
    "[tiab:~2]", "[au:~1]", "&", "|", "last 5 years", '""', "x y",
]  # fmt: skip


def _check_consistent(result: ParseResult) -> None:
    n = len(result.query)
    assert all(0 <= d.start <= d.end <= n and d.code in CODES for d in result.diagnostics)
    assert [d.span for d in result.diagnostics] == sorted(d.span for d in result.diagnostics)
    if result.tree is None:
        assert "empty-query" in result.codes and not result.ok
        return
    for node in walk(result.tree):
        _check_children_inside(node, n)
    again = parse(to_query(result.tree))
    assert again.tree is not None and dump(again.tree) == dump(result.tree)


def _check_children_inside(node: Node, n: int) -> None:
    start, end = node.span
    assert 0 <= start < end <= n
    children = [node.left, node.right] if isinstance(node, BinaryOp) else []
    for child in children:
        assert start <= child.span[0] and child.span[1] <= end
    if children:
        assert children[0].span[1] <= children[1].span[0]


def test_random_queries_never_raise_and_stay_consistent() -> None:
    rnd = random.Random(20240416)
    for _ in range(3000):
        pieces = (rnd.choice(PIECES) + rnd.choice(("", " ")) for _ in range(rnd.randint(0, 12)))
        _check_consistent(parse("".join(pieces)))


# -- stopwords ----------------------------------------------------------------------------


def test_stopwords_are_the_2024_user_guide_list() -> None:
    assert len(STOPWORDS) == 130
    assert {"a", "about", "the", "pmid", "kg", "upon", "would", "etc"} <= STOPWORDS
    assert is_stopword("The") and is_stopword("AND") and is_stopword("just")
    assert not is_stopword("lupus") and not is_stopword("cancer")
    assert LEGACY_STOPWORDS == {"use", "used", "using"}
    assert not any(map(is_stopword, LEGACY_STOPWORDS))


def test_parser_keeps_stopwords_for_the_resolver() -> None:
    words = ("the", "cancer", "of", "the", "lung")
    assert parse("the cancer of the lung").tree == Term(words, (0, 22))


# -- docs ---------------------------------------------------------------------------------


def test_docs_list_every_diagnostic_code_and_every_tag() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert [code for code in CODES if f"`{code}`" not in text] == []
    assert [f.tag for f in FIELDS if f"`[{f.tag}]`" not in text] == []
