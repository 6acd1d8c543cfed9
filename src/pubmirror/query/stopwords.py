"""PubMed's stopwords: words PubMed ignores in untagged searches and in automatic term mapping.

Source: the PubMed User Guide, section "Stopwords", last updated April 16, 2024
(https://pubmed.ncbi.nlm.nih.gov/help/#help-stopwords; stored copy
``reference/pubmed-user-guide-2024-04-16.md``). That list has 130 words.

Older copies of the list, reproduced in several public analyzers (for example an Elasticsearch
``nlm_stop`` filter), also have ``use``, ``used`` and ``using`` (133 words). The 2024 guide does
not, so they are kept apart in :data:`LEGACY_STOPWORDS` and :func:`is_stopword` does not use them.

The parser does not drop stopwords: it keeps every word with its span. The resolver decides,
because PubMed searches stopwords as ordinary words in some places (inside a proximity phrase,
author names tagged ``[au]`` such as ``just by[au]``).
"""

from __future__ import annotations

__all__ = ["LEGACY_STOPWORDS", "STOPWORDS", "is_stopword"]

STOPWORDS: frozenset[str] = frozenset(
    """
    a about again all almost also although always among an and another any are as at
    be because been before being between both but by
    can could
    did do does done due during
    each either enough especially etc
    for found from further
    had has have having here how however
    i if in into is it its itself
    just
    kg km
    made mainly make may mg might ml mm most mostly must
    nearly neither no nor
    obtained of often on our overall
    perhaps pmid
    quite
    rather really regarding
    seem seen several should show showed shown shows significantly since so some such
    than that the their theirs them then there therefore these they this those through thus to
    upon
    various very
    was we were what when which while with within without would
    """.split()
)

LEGACY_STOPWORDS: frozenset[str] = frozenset({"use", "used", "using"})


def is_stopword(word: str) -> bool:
    """Whether PubMed ignores ``word`` (case-insensitive).

    >>> is_stopword("The"), is_stopword("lupus")
    (True, False)
    """
    return word.casefold() in STOPWORDS
