"""The PubMed query parser: tokens → syntax tree (:mod:`pubmirror.query.tree`) + diagnostics.

Grammar, evaluated strictly left to right as PubMed does (no operator precedence)::

    query    := operand ( [op] operand )*        missing op = AND (adjacent concepts)
    operand  := '(' query ')' | '#' digits | term [ ':' bound ]
    term     := ( word+ | "phrase" ) [ '[' tag ']' ]
    bound    := ( word | "phrase" ) [ '[' tag ']' ]

A run of bare words is one term, and a tag applies to the whole run since the last operator,
parenthesis, phrase or tag: ``smith j[au]`` is one author. A word directly before ``:`` starts a
range instead (``cancer 2000:2005[dp]`` is ``cancer`` AND a range).

:func:`parse` is lenient like PubMed: it never raises on user input. What it cannot use it drops
or repairs, reports as a :class:`~pubmirror.query.tokens.Diagnostic` (see :data:`CODES`), and
parses the rest. It knows the tag table but nothing of the index, MeSH or automatic term
mapping: those belong to the resolver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pubmirror.query.tags import Field, lookup, normalize
from pubmirror.query.tokens import OPERATORS, Diagnostic, Kind, Severity, Span, Token, tokenize
from pubmirror.query.tree import (
    BinaryOp, Group, History, Node, Operator, Range, RelativeDate, Tag, Term, Unit,
)  # fmt: skip

__all__ = ["CODES", "ParseResult", "parse"]

# Every diagnostic code the parser (and its tokenizer) can report, with what it means.
CODES: dict[str, str] = {
    "empty-query": "nothing left to search",
    "unbalanced-paren": "a '(' without ')' (closed at the end) or a ')' without '(' (ignored)",
    "unbalanced-bracket": "a '[' without ']' (closed at the end) or a ']' without '[' (ignored)",
    "unclosed-quote": "a phrase without its closing quote (closed at the end)",
    "dangling-operator": "AND/OR/NOT with no operand on one side (ignored)",
    "empty-group": "'()' with nothing inside (ignored)",
    "empty-term": 'a phrase with no words, such as "" (ignored)',
    "misplaced-tag": "a tag that follows no term, or follows ')' or #N (ignored)",
    "unknown-tag": "a tag or tag option PubMed does not have (the term is kept untagged)",
    "noexp-not-allowed": "':noexp' on a field that does not explode (option ignored)",
    "proximity-not-allowed": "':~N' outside [ti], [tiab], [ad] (option ignored)",
    "bad-proximity": "':~N' without a quoted phrase of 2+ words, with a wildcard, or bad N",
    "truncation-too-short": "fewer than 4 characters before '*' (the '*' becomes a space)",
    "bad-range": "':' without a bound on one side, a range without a tag, or two tags",
    "bad-date": "a value in a date field that is not yyyy[/mm[/dd]] (kept as typed)",
    "bad-subheading": "an empty heading or subheading, or more than one '/', in a MeSH term",
}

_DATE = re.compile(r"(\d{4})(?:/(\d{1,2})(?:/(\d{1,2}))?)?")
_RELATIVE = re.compile(r"last\s+(?:(\d+)\s+)?(day|month|year)s?", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_UNITS: dict[str, Unit] = {"day": "day", "month": "month", "year": "year"}
_OPERATORS: dict[str, Operator] = {"AND": "AND", "OR": "OR", "NOT": "NOT"}


@dataclass(frozen=True)
class ParseResult:
    """The tree (``None`` when nothing is left to search) and the diagnostics, by position."""

    query: str
    tree: Node | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """No error-level diagnostic (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.diagnostics)

    def source(self, span: Span) -> str:
        """The query text under ``span`` (a node's, a tag's or a diagnostic's)."""
        return self.query[span[0] : span[1]]


def parse(query: str) -> ParseResult:
    """Parse a PubMed query; never raises.

    >>> from pubmirror.query.tree import dump
    >>> dump(parse("a OR b AND c[ti]").tree)
    'AND(OR(a, b), c[ti])'
    """
    tokens, diagnostics = tokenize(query)
    tree = _Parser(tokens, diagnostics).query()
    if tree is None:
        diagnostics.append(
            Diagnostic(0, len(query), "empty-query", "nothing to search", "error")
        )
    diagnostics.sort(key=lambda d: (d.start, d.end))
    return ParseResult(query, tree, tuple(diagnostics))


def _valid_date(text: str) -> bool:
    m = _DATE.fullmatch(text)
    if m is None:
        return False
    month, day = int(m[2] or 1), int(m[3] or 1)
    return 1 <= month <= 12 and 1 <= day <= 31


class _Parser:
    def __init__(self, tokens: list[Token], diagnostics: list[Diagnostic]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.diagnostics = diagnostics

    # -- token access ---------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def at(self, kind: Kind, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok is not None and tok.kind is kind

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def take(self, kind: Kind) -> Token | None:
        return self.advance() if self.at(kind) else None

    def report(self, span: Span, code: str, message: str, severity: Severity = "warning") -> None:
        assert code in CODES, code  # a new code must be documented in CODES (and docs/search.md)
        self.diagnostics.append(Diagnostic(span[0], span[1], code, message, severity))

    # -- expressions ----------------------------------------------------------------------

    def query(self, nested: bool = False) -> Node | None:
        """Operands joined left to right; stops at ')' when ``nested``."""
        left: Node | None = None
        pending: Token | None = None  # an operator waiting for its right operand
        while (tok := self.peek()) is not None:
            if tok.kind is Kind.RPAREN and nested:
                break
            if tok.kind in (Kind.RPAREN, Kind.OP, Kind.TAG, Kind.COLON):
                pending = self.stray(self.advance(), left, pending)
                continue
            right = self.operand()
            if right is not None:
                left = right if left is None else _join(left, pending, right)
                pending = None
        if pending is not None:
            self.report(pending.span, "dangling-operator",
                        f"{pending.value} has nothing after it: ignored")  # fmt: skip
        return left

    def stray(self, tok: Token, left: Node | None, pending: Token | None) -> Token | None:
        """A token that cannot start an operand; returns the operator now pending."""
        if tok.kind is Kind.OP:
            if left is None:
                self.report(tok.span, "dangling-operator",
                            f"{tok.value} has nothing before it: ignored")  # fmt: skip
                return None
            if pending is not None:  # 'a AND OR b': the later operator wins
                message = f"{pending.value} is followed by another operator: ignored"
                self.report(pending.span, "dangling-operator", message)
            return tok
        if tok.kind is Kind.RPAREN:
            self.report(tok.span, "unbalanced-paren", "')' without '(': ignored", "error")
        elif tok.kind is Kind.TAG:
            self.report(tok.span, "misplaced-tag", "a field tag must follow a term: ignored")
        else:
            self.report(tok.span, "bad-range", "':' without a lower bound: ignored", "error")
        return pending

    def operand(self) -> Node | None:
        tok = self.peek()
        assert tok is not None
        if tok.kind is Kind.LPAREN:
            return self.group()
        if tok.kind is Kind.HISTORY:
            self.advance()
            self.no_tag("a history reference")
            return History(int(tok.value), tok.span)
        return self.term_or_range()

    def group(self) -> Node | None:
        opening = self.advance()
        child = self.query(nested=True)
        if self.take(Kind.RPAREN) is None:
            self.report(opening.span, "unbalanced-paren",
                        "'(' without ')': closed at the end of the query", "error")  # fmt: skip
        span = (opening.start, self.tokens[self.pos - 1].end)
        self.no_tag("parentheses")
        if child is None:
            self.report(span, "empty-group", "empty parentheses: ignored")
            return None
        return Group(child, span)

    def no_tag(self, what: str) -> None:
        # PubMed has no syntax that applies a tag to a group or a history reference.
        if (tag := self.take(Kind.TAG)) is not None:
            self.report(tag.span, "misplaced-tag", f"a field tag cannot follow {what}: ignored")

    # -- terms and ranges -----------------------------------------------------------------

    def term_or_range(self) -> Node | None:
        leaf = self.leaf()
        tag = self.take(Kind.TAG)
        if self.at(Kind.COLON):
            return self.range(leaf, tag)
        return self.term(leaf, tag)

    def leaf(self) -> list[Token]:
        """One phrase, or a run of words that stops before a word that starts a range."""
        first = self.advance()
        run = [first]
        if first.kind is Kind.WORD:
            while self.at(Kind.WORD) and not self.at(Kind.COLON, 1):
                run.append(self.advance())
        return run

    def range(self, leaf: list[Token], low_tag: Token | None) -> Node | None:
        colon = self.advance()
        high = self.peek()
        if high is None or high.kind not in (Kind.WORD, Kind.PHRASE):
            self.report(colon.span, "bad-range", "':' without an upper bound: ignored", "error")
            return self.term(leaf, low_tag)
        self.advance()
        high_tag = self.take(Kind.TAG)
        span = (leaf[0].start, self.tokens[self.pos - 1].end)
        low = " ".join(" ".join(t.value.split()) for t in leaf)
        if not low or not high.value.strip():
            self.report(span, "bad-range", "a range with an empty bound: ignored", "error")
            return None
        tag = self.range_tag(self.tag(low_tag), self.tag(high_tag), span)
        node = Range(low, " ".join(high.value.split()), span, tag)
        field = lookup(tag.field) if tag else None
        for bound, where in ((node.low, leaf[0].span), (node.high, high.span)):
            if field and field.date and not _valid_date(bound):
                self.report(where, "bad-date", f"{bound!r} is not a date (yyyy/mm/dd)")
        return node

    def range_tag(self, low: Tag | None, high: Tag | None, span: Span) -> Tag | None:
        if low and high and low.field != high.field:
            self.report(span, "bad-range",
                        f"the bounds have different tags: [{high.field}] used")  # fmt: skip
        tag = high or low
        if tag is None:
            self.report(span, "bad-range", "a range needs a field tag, e.g. 2000:2005[dp]")
        return tag

    def term(self, leaf: list[Token], tag_token: Token | None) -> Node | None:
        quoted = leaf[0].kind is Kind.PHRASE
        words = self.truncated(_words(leaf))
        span = (leaf[0].start, (tag_token or leaf[-1]).end)
        if not words:
            self.report(span, "empty-term", "nothing to search in this term: ignored")
            return None
        tag = self.tag(tag_token)
        field = lookup(tag.field) if tag else None
        wildcard = any("*" in w for w in words)
        if tag is not None and tag.proximity is not None:
            tag = self.checked_proximity(tag, quoted, words, wildcard)
        if tag is not None and field is not None and field.date:
            return self.date(words, quoted, tag, span)
        term = Term(tuple(words), span, quoted, tag, None, wildcard)
        if field is not None and field.subheadings and "/" in term.text:
            return self.split_subheading(term)
        return term

    def truncated(self, words: list[tuple[str, Span]]) -> list[str]:
        """The words, with each too-short wildcard turned into a space as PubMed does."""
        out: list[str] = []
        for word, span in words:
            star = word.find("*")
            if 0 <= star < 4:
                self.report(span, "truncation-too-short",
                            f"{word!r}: at least 4 characters must come before '*'; "
                            "searched without the wildcard")  # fmt: skip
                # The pieces must still read as words: 'AND*' is the word 'and', not AND.
                out.extend(_as_word(piece) for piece in word.replace("*", " ").split())
            else:
                out.append(word)
        return out

    def checked_proximity(self, tag: Tag, quoted: bool, words: list[str], wildcard: bool) -> Tag:
        if not quoted or len(words) < 2:
            problem = "needs two or more words in double quotes"
        elif wildcard:
            problem = "cannot be combined with a wildcard"  # PubMed ignores the proximity
        else:
            return tag
        self.report(tag.span, "bad-proximity", f"proximity search {problem}: ':~N' ignored")
        return replace(tag, proximity=None)

    def date(self, words: list[str], quoted: bool, tag: Tag, span: Span) -> Node:
        text = " ".join(words)
        if m := _RELATIVE.fullmatch(text):
            return RelativeDate(int(m[1] or 1), _UNITS[m[2].lower()], tag, span)
        if not _valid_date(text):
            self.report(span, "bad-date",
                        f"{text!r} is not a date (yyyy/mm/dd, month and day optional)")  # fmt: skip
        return Term(tuple(words), span, quoted, tag, wildcard=any("*" in w for w in words))

    def split_subheading(self, term: Term) -> Term:
        heading, _, sub = term.text.partition("/")
        if not heading.strip() or not sub.strip():
            self.report(term.span, "bad-subheading", "'/' needs a MeSH term and a subheading")
            return term
        if "/" in sub:
            self.report(term.span, "bad-subheading",
                        "only one subheading may be attached to a MeSH term")  # fmt: skip
        return replace(term, words=tuple(heading.split()), subheading=" ".join(sub.split()))

    # -- tags -----------------------------------------------------------------------------

    def tag(self, token: Token | None) -> Tag | None:
        """The :class:`Tag` for a ``[...]`` token, or ``None`` when the field is unknown."""
        if token is None:
            return None
        name, colon, option = token.value.partition(":")
        field = lookup(name)
        if field is None:
            self.report(token.span, "unknown-tag",
                        f"unknown field tag [{token.value}]: searched without a tag")  # fmt: skip
            return None
        tag = Tag(field.tag, token.span)
        return self.tag_option(tag, field, normalize(option)) if colon else tag

    def tag_option(self, tag: Tag, field: Field, option: str) -> Tag:
        number = option[1:]
        if option == "noexp" and field.explodes:
            return replace(tag, noexp=True)
        if option.startswith("~") and number.isascii() and number.isdigit():
            if field.proximity:
                return replace(tag, proximity=int(number))
            self.report(tag.span, "proximity-not-allowed",
                        "proximity searching works only in [ti], [tiab] and [ad]: "
                        "':~N' ignored")  # fmt: skip
        elif option == "noexp":
            self.report(tag.span, "noexp-not-allowed",
                        f"[{field.tag}] is not hierarchical: ':noexp' ignored")  # fmt: skip
        elif option.startswith("~"):
            self.report(tag.span, "bad-proximity", "':~N' needs a whole number N: ignored")
        else:
            self.report(tag.span, "unknown-tag", f"unknown tag option {option!r}: ignored")
        return tag


def _as_word(piece: str) -> str:
    """A piece of a word split at a too-short '*', made safe to print back unquoted.

    Search is case-insensitive, so an operator-looking piece loses nothing by being lower-cased;
    and PubMed turns a '#' that does not start a history reference into a space.
    """
    if piece in OPERATORS:
        return piece.lower()
    if piece.startswith("#") and piece[1:].isascii() and piece[1:].isdigit():
        return piece[1:]
    return piece


def _words(leaf: list[Token]) -> list[tuple[str, Span]]:
    """Each word with its own span (a phrase's words are found inside its quotes)."""
    if leaf[0].kind is Kind.WORD:
        return [(t.value, t.span) for t in leaf]
    phrase = leaf[0]
    base = phrase.start + 1  # after the opening quote
    return [(m[0], (base + m.start(), base + m.end())) for m in _WORD.finditer(phrase.value)]


def _join(left: Node, operator: Token | None, right: Node) -> BinaryOp:
    span = (left.span[0], right.span[1])
    if operator is None:
        return BinaryOp("AND", left, right, span, implicit=True)
    return BinaryOp(_OPERATORS[operator.value], left, right, span, op_span=operator.span)
