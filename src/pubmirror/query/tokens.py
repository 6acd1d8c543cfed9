"""The first pass over a PubMed query: characters → tokens with spans, plus diagnostics.

Tokens are words, quoted phrases, ``[tags]``, parentheses, the operators ``AND``/``OR``/``NOT``
(upper case only: lower-case ``and`` is a word; PubMed's "character conversions" add ``&`` for
AND and ``|`` for OR), the range colon and history references ``#3``. Every token keeps its
``[start, end)`` offsets into the query, so diagnostics and later stages can point at the source.

The tokenizer never fails: an unclosed quote or bracket runs to the end of the query and is
reported, which is what a user who forgot the closing character usually meant.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

__all__ = ["Diagnostic", "Kind", "Severity", "Span", "Token", "tokenize"]

Span = tuple[int, int]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a query: where (``[start, end)``), a stable code, and a message.

    ``error``: the parser had to guess what was meant (e.g. a missing ``)``); ``warning``: a part
    of the query was ignored or will not work as the user may expect. Either way the rest of the
    query still parses.
    """

    start: int
    end: int
    code: str
    message: str
    severity: Severity = "warning"

    @property
    def span(self) -> Span:
        return (self.start, self.end)


class Kind(enum.Enum):
    WORD = "word"
    PHRASE = "phrase"  # value: the text between the quotes
    TAG = "tag"  # value: the text between the brackets
    LPAREN = "("
    RPAREN = ")"
    OP = "op"  # value: "AND", "OR" or "NOT"
    COLON = ":"
    HISTORY = "history"  # value: the digits after '#'


@dataclass(frozen=True)
class Token:
    kind: Kind
    value: str
    start: int
    end: int

    @property
    def span(self) -> Span:
        return (self.start, self.end)


OPERATORS = frozenset({"AND", "OR", "NOT"})
# Straight and typographic double quotes: text pasted from a word processor has the latter.
QUOTES = '"\u201c\u201d'
_SINGLE = {"(": Kind.LPAREN, ")": Kind.RPAREN, ":": Kind.COLON}
_SYMBOL_OPS = {"&": "AND", "|": "OR"}
_STOP = frozenset("()[]:&|" + QUOTES)  # characters that end a word


def tokenize(query: str) -> tuple[list[Token], list[Diagnostic]]:
    """Split ``query`` into tokens; never raises.

    >>> [t.value for t in tokenize('cancer[ti] AND "heart attack"')[0]]
    ['cancer', 'ti', 'AND', 'heart attack']
    """
    tokens: list[Token] = []
    diagnostics: list[Diagnostic] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in _SINGLE:
            tokens.append(Token(_SINGLE[c], c, i, i + 1))
            i += 1
        elif c in _SYMBOL_OPS:
            tokens.append(Token(Kind.OP, _SYMBOL_OPS[c], i, i + 1))
            i += 1
        elif c in QUOTES:
            i = _delimited(query, i, Kind.PHRASE, tokens, diagnostics)
        elif c == "[":
            i = _delimited(query, i, Kind.TAG, tokens, diagnostics)
        elif c == "]":
            diagnostics.append(
                Diagnostic(i, i + 1, "unbalanced-bracket", "']' without '[': ignored", "error")
            )
            i += 1
        else:
            i = _word(query, i, tokens)
    return tokens, diagnostics


def _delimited(
    query: str, start: int, kind: Kind, tokens: list[Token], diagnostics: list[Diagnostic]
) -> int:
    """A quoted phrase or a bracketed tag starting at ``start``; returns the next offset."""
    closers = QUOTES if kind is Kind.PHRASE else "]"
    end = start + 1
    while end < len(query) and query[end] not in closers:
        end += 1
    if end < len(query):
        tokens.append(Token(kind, query[start + 1 : end], start, end + 1))
        return end + 1
    if kind is Kind.PHRASE:
        code, what = "unclosed-quote", "quote"
    else:
        code, what = "unbalanced-bracket", "'['"
    diagnostics.append(
        Diagnostic(start, start + 1, code, f"unclosed {what}: closed at the end of the query",
                   "error")
    )  # fmt: skip
    tokens.append(Token(kind, query[start + 1 :], start, len(query)))
    return len(query)


def _word(query: str, start: int, tokens: list[Token]) -> int:
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in _STOP:
        end += 1
    text = query[start:end]
    if text in OPERATORS:
        kind = Kind.OP
    elif text[:1] == "#" and text[1:].isascii() and text[1:].isdigit():
        kind, text = Kind.HISTORY, text[1:]
    else:
        kind = Kind.WORD
    tokens.append(Token(kind, text, start, end))
    return end
