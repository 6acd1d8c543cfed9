"""pmra, PubMed's Similar articles measure (Lin & Wilbur, BMC Bioinformatics 2007, 8:423), as
pure arithmetic over term lists: no index, no store. ``docs/similar.md`` gives the sources.

A record is represented by its terms (the PubMed User Guide, "Computation of similar articles"):

- text words from the title and the abstract, stopwords removed, lightly stemmed; title words are
  counted a second time;
- MeSH headings, whole, in a category of their own (``mh:heading``); a heading with subheadings
  counts once without them and once with each (``mhsh:heading/subheading``); major-topic stars
  are ignored.

Its length ``l`` is the number of term occurrences. A term occurring ``k`` times has the local
weight ``1 / (1 + (mu/lambda)^(k-1) * e^((lambda-mu) * l))`` (the probability that the record is
about the term's topic, a Poisson model with rate lambda in records about it and mu in the others),
and a global weight ``idf``. The similarity of two records is the sum, over the terms they share,
of ``local_a * local_b * idf``; it is symmetric by construction.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pubmirror.query.stopwords import LEGACY_STOPWORDS, STOPWORDS

try:
    from pubmirror.query._cneighbours import add_ascii_words as _add_ascii_words
except ImportError:  # built without a C compiler: every text goes through the analyzer
    _add_ascii_words = None

__all__ = [
    "LAMBDA", "MESH", "MU", "PAIR", "STOP", "TermVector", "Tokenize", "idf", "local_weight",
    "query_weights", "score", "similarity", "stem", "term_vector", "text_vector", "variants",
    "word_of",
]  # fmt: skip

# Poisson rates per word of record length, in records about a topic (lambda) and in the others
# (mu): the values Lin & Wilbur fitted on MEDLINE, as in Lin's own pmra scorer (Ivory,
# ivory/pwsim/score/Pmra.java).
LAMBDA = 0.022
MU = 0.013
_RATIO = MU / LAMBDA
_SLOPE = LAMBDA - MU

# MeSH terms' prefixes, the keyword tags the index counts them under: a word never holds ':', so
# words and MeSH terms never meet.
MESH = "mh:"
PAIR = "mhsh:"

# pmra removes "132 common, but uninformative, words"; that list is not published. PubMed's
# search stopwords (130 in the 2024 guide) plus the three of older copies are the nearest list.
STOP: frozenset[str] = STOPWORDS | LEGACY_STOPWORDS

# Text → lower-cased tokens; the service passes the index's analyzer, so that a word's tokens are
# the ones the index counts documents by.
Tokenize = Callable[[str], list[str]]


def stem(word: str) -> str:
    """The "S" stemmer (Harman, JASIS 1991): plurals only, the first rule that applies.

    >>> [stem(w) for w in ("studies", "cases", "cells", "virus", "class", "species", "shoes")]
    ['study', 'case', 'cell', 'virus', 'class', 'specy', 'shoe']
    """
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def variants(stemmed: str) -> list[str]:
    """Every word :func:`stem` maps to ``stemmed`` (its document frequency is their union's).

    >>> variants("study"), variants("case"), variants("virus")
    (['study', 'studys', 'studies'], ['case', 'cases'], ['virus'])
    """
    found = [stemmed, stemmed + "s"]
    if stemmed.endswith("y"):
        found.append(stemmed[:-1] + "ies")
    return [w for w in found if stem(w) == stemmed]


def word_of(token: str) -> str:
    """An index token (lower-cased, ASCII-folded run of letters and digits) as a pmra word: ""
    for a stopword or a token without a letter (the index's tokens hold only letters and digits,
    so one that is all numeric has none), else its stem."""
    if token in STOP or token.isnumeric():
        return ""
    return stem(token)


# Token → word, for the tokens seen: records are re-read for every request that finds them, and
# one dictionary look-up a distinct token is what keeps re-reading cheap. Bounded, so that a
# long-running service does not grow for ever.
_WORDS: dict[str, str] = {}
_WORDS_MAX = 1 << 21


def _add_words(tokens: Iterable[str], times: int, counts: dict[str, int]) -> None:
    get = _WORDS.get
    for token, n in Counter(tokens).items():
        word = get(token)
        if word is None:
            word = word_of(token)
            if len(_WORDS) < _WORDS_MAX:
                _WORDS[token] = word
        if word:
            counts[word] = counts.get(word, 0) + n * times


@dataclass(frozen=True, slots=True)
class TermVector:
    """A record's pmra terms with their counts, and its length (the sum of the counts)."""

    counts: dict[str, int]
    length: int


def term_vector(
    title: Sequence[str], abstract: Sequence[str], headings: Sequence[tuple[str, Sequence[str]]]
) -> TermVector:
    """The representation of one record.

    ``title`` and ``abstract``: the index analyzer's tokens of each; ``headings``: each MeSH
    heading's descriptor name with its qualifier names (any case).
    """
    counts: dict[str, int] = {}
    _add_words(abstract, 1, counts)
    _add_words(title, 2, counts)  # title words count a second time
    return _with_headings(counts, headings)


def text_vector(title: Sequence[str], abstract: Sequence[str],
                headings: Sequence[tuple[str, Sequence[str]]], words: Tokenize) -> TermVector:  # fmt: skip
    """:func:`term_vector` of texts (the title's and the abstract's values) rather than tokens,
    ``words`` being the index analyzer. ASCII text goes through the compiled tokenizer where it
    was built, five times cheaper than the analyzer's tokens and a Python loop (tested equal)."""
    counts: dict[str, int] = {}
    for texts, times in ((abstract, 1), (title, 2)):
        for text in texts:
            if _add_ascii_words is not None and text.isascii():
                _add_ascii_words(text, times, counts, _WORDS, word_of, _WORDS_MAX)
            else:
                _add_words(words(text), times, counts)
    return _with_headings(counts, headings)


def _with_headings(
    counts: dict[str, int], headings: Sequence[tuple[str, Sequence[str]]]
) -> TermVector:
    for descriptor, qualifiers in headings:
        name = descriptor.lower()
        counts[MESH + name] = counts.get(MESH + name, 0) + 1
        for qualifier in qualifiers:
            pair = f"{PAIR}{name}/{qualifier.lower()}"
            counts[pair] = counts.get(pair, 0) + 1
    return TermVector(counts, sum(counts.values()))


def local_weight(k: int, length: int) -> float:
    """The probability that a record of ``length`` terms holding a term ``k`` times is about
    the term's topic: ``1 / (1 + (mu/lambda)^(k-1) * e^((lambda-mu) * length))``."""
    return 1.0 / (1.0 + _RATIO ** (k - 1) * math.exp(_SLOPE * length))


def idf(df: int, n: int) -> float:
    """The global weight, Robertson–Spärck Jones' ``ln((N - df + 0.5) / (df + 0.5))`` as in
    Ivory's pmra scorer, floored at 0: a term in most records says nothing about a topic, and a
    negative weight would make sharing it count against two records."""
    return max(0.0, math.log((n - df + 0.5) / (df + 0.5)))


def query_weights(vector: TermVector, idfs: Mapping[str, float]) -> dict[str, float]:
    """``local * idf`` of each term of one record (terms without a global weight dropped): the
    half of every pair's score that depends only on this record."""
    length = vector.length
    out: dict[str, float] = {}
    for term, k in vector.counts.items():
        g = idfs.get(term, 0.0)
        if g > 0.0:
            out[term] = local_weight(k, length) * g
    return out


def score(weights: Mapping[str, float], other: TermVector) -> float:
    """pmra similarity of the record of ``weights`` (see :func:`query_weights`) and ``other``."""
    length = other.length
    return sum(w * local_weight(other.counts[t], length)
               for t, w in weights.items() if t in other.counts)  # fmt: skip


def similarity(a: TermVector, b: TermVector, idfs: Mapping[str, float]) -> float:
    """pmra similarity of two records: sum over shared terms of ``local_a * local_b * idf``."""
    return score(query_weights(a, idfs), b)
