"""Automatic Term Mapping: what an untagged term searches, in PubMed's order.

For an untagged, unquoted term PubMed tries, and stops at the first that matches:

1. the subject table: MeSH headings and entry terms (singular or plural), publication types;
2. the journal table: journal titles, abbreviations, ISSNs;
3. the author index, for terms of more than one word.

A mapped term searches the mapping *and* its words in All Fields, for example
``"child rearing"[MeSH Terms] OR ("child"[All Fields] AND "rearing"[All Fields]) OR
"child rearing"[All Fields]``. A term that maps to nothing is broken apart: its longest leading
run of words that maps is taken, then the rest goes through the same process, and single words
that map to nothing are searched in All Fields; stopwords are dropped. Quoted phrases are not
mapped: they are searched as phrases in All Fields, or, when the phrase is found nowhere,
mapped as if unquoted (PubMed's "Quoted phrase not found").

The subject table here is the loaded MeSH vocabulary plus the headings and publication types
of the indexed records themselves, so mapping works (unexploded) without a vocabulary; the
journal table and the author index are the indexed records' own values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pubmirror.mesh.vocabulary import Vocabulary
from pubmirror.query import fields as F
from pubmirror.query.lexicon import Lexicon
from pubmirror.query.plan import And, Keyword, Or, Plan, Pmids, Text
from pubmirror.query.stopwords import is_stopword
from pubmirror.query.tokens import Span
from pubmirror.query.tree import Term

__all__ = ["Mapper", "mesh_keyword"]

MAX_RUN = 6  # the longest run of words tried as one mapping when breaking a term apart
ALL = F.TEXT_FIELDS["all"]
Warn = Callable[[Span, str, str], None]


class Mapper:
    """``mapping`` False is PubMed's "schema: all" rerun: every untagged word in All Fields."""

    def __init__(
        self, lexicon: Lexicon, vocabulary: Vocabulary, warn: Warn, mapping: bool = True
    ) -> None:
        self.lexicon = lexicon
        self.vocabulary = vocabulary
        self.warn = warn
        self.map_terms = mapping
        self.mapped = False  # a table mapped a term: "schema: all" may rerun the query

    def untagged(self, term: Term) -> Plan | None:
        """An untagged (or ``[all]``) term; None when nothing is left to search (stopwords)."""
        if term.subheading is not None:
            return mesh_keyword(self.vocabulary, term.text, "mh", True, term.subheading)
        heading, slash, qualifier = term.text.rpartition("/")
        if slash and heading and not term.quoted and self.vocabulary.subheading(qualifier):
            # Untagged heading/subheading (``asthma/dt``) is MeSH syntax, as when tagged [mh].
            return mesh_keyword(self.vocabulary, heading, "mh", True, qualifier)
        words = term.words
        if all(w.isdigit() for w in words):  # bare numbers are PMIDs
            numbers = tuple(int(w) for w in words)
            return Pmids(numbers, " OR ".join(f"{n}[PMID]" for n in numbers))
        if len(words) == 1 and words[0].lower() in F.FLAGS:
            flag = words[0].lower()
            return Keyword(("flags",), (flag,), f"{flag}[All Fields]")
        if not self.map_terms:
            return self.unmapped(words, term.span)
        if term.quoted:
            analyzed = self.lexicon.words(term.text)
            if self.found(term.text, analyzed):
                return self.all_fields(term.text)
            self.warn(term.span, "phrase-not-found",
                      f'quoted phrase not found: "{term.text}"; searched without quotes')  # fmt: skip
        return self.words(words, term.span)

    def unmapped(self, words: Sequence[str], span: Span) -> Plan | None:
        parts: list[Plan] = []
        for word in words:
            if is_stopword(word.lower()):
                self.warn(span, "stopword-ignored", f'"{word.lower()}" is a stopword: not searched')
            elif self.lexicon.words(word):
                parts.append(self.all_fields(word))
        return None if not parts else parts[0] if len(parts) == 1 else And(tuple(parts))

    def found(self, text: str, analyzed: Sequence[str]) -> bool:
        if not analyzed:
            return False
        if self.lexicon.has_phrase(ALL, analyzed):
            return True
        value = F.keyword_value(text)
        return any(self.lexicon.has_keyword(tag, value) for tag in ("mh", "pt", "ta", "nm"))

    def words(self, words: Sequence[str], span: Span) -> Plan | None:
        whole = self.mapping(words, span)
        if whole is not None or len(words) == 1:
            return whole
        parts: list[Plan] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + MAX_RUN), i, -1):
                if j - i == len(words):
                    continue  # the whole term was tried first
                mapped = self.mapping(words[i:j], span)
                if mapped is not None:
                    parts.append(mapped)
                    i = j
                    break
            else:
                i += 1  # a stopword (warned about by mapping); nothing to search
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def mapping(self, words: Sequence[str], span: Span) -> Plan | None:
        """The subject, journal or author mapping of these words; a single word that maps to
        nothing is searched in All Fields, a stopword is dropped (None)."""
        text = F.keyword_value(" ".join(words))
        if len(words) == 1 and is_stopword(text):
            self.warn(span, "stopword-ignored", f'"{text}" is a stopword: not searched')
            return None
        mapped = self.table_mapping(text, len(words))
        if mapped is not None:
            self.mapped = True
            return mapped
        return self.all_fields(text) if len(words) == 1 else None

    def table_mapping(self, text: str, n_words: int) -> Plan | None:
        """The subject table, then the journal table, then (several words) the author index."""
        subject = self.subject(text)
        if subject is not None:
            return subject
        if self.lexicon.has_keyword("ta", text):
            return Or((Keyword(("ta",), (text,), f'"{text}"[Journal]'), *self.all_forms(text)))
        if n_words > 1:
            name = F.author_value(text)
            if self.lexicon.has_keyword("au", name) or self.lexicon.has_keyword_prefix("au", name):
                return Keyword(("au",), (name,), f"{name}[Author]", prefixes=(name,))
        return None

    def subject(self, text: str) -> Plan | None:
        """MeSH heading or entry term (or its singular or plural), then publication type."""
        for candidate in dict.fromkeys((text, *_number_variants(text))):
            ui = self.vocabulary.lookup(candidate) if self.vocabulary.loaded else None
            if ui is not None or self.lexicon.has_keyword("mh", candidate):
                heading = mesh_keyword(self.vocabulary, candidate, "mh", True, None)
                name = mesh_name(self.vocabulary, candidate)[1]
                forms = [f for x in dict.fromkeys((name, text)) for f in self.all_forms(x)]
                return Or((heading, *forms))
        if self.lexicon.has_keyword("pt", text):
            pt = Keyword(("pt",), (text,), f'"{text}"[Publication Type]')
            return Or((pt, *self.all_forms(text)))
        return None

    def all_forms(self, text: str) -> list[Plan]:
        """``"x"[All Fields]`` for a word; for several, their words ANDed and the phrase."""
        analyzed = self.lexicon.words(text)
        if len(analyzed) <= 1:
            return [self.all_fields(text)]
        each = And(tuple(self.all_fields(w) for w in analyzed))
        return [each, self.all_fields(text)] if self.found(text, analyzed) else [each]

    def all_fields(self, text: str) -> Text:
        value = F.keyword_value(text)
        words = tuple(self.lexicon.words(text))
        return Text(ALL, words, f'"{value}"[All Fields]', keywords=F.ALL_KEYWORDS, value=value)


def _number_variants(text: str) -> tuple[str, ...]:
    """The singular or plural the subject table pairs with a term (a plain -s rule)."""
    if text.endswith("ies"):
        return (text[:-3] + "y",)
    if text.endswith("s") and not text.endswith("ss"):
        return (text[:-1],)
    return (text + "s",)


def mesh_name(vocabulary: Vocabulary, text: str) -> tuple[str | None, str]:
    """The descriptor UI of a heading or entry term and its preferred name (lower case), or
    ``(None, text)`` when the vocabulary does not know it."""
    value = F.keyword_value(text)
    ui = vocabulary.lookup(value) if vocabulary.loaded else None
    if ui is None:
        return None, value
    return ui, (vocabulary.name(ui) or value).lower()


def mesh_keyword(
    vocabulary: Vocabulary, text: str, tag: str, explode: bool, subheading: str | None
) -> Keyword:
    """A MeSH heading (``tag`` ``mh`` or ``majr``), by descriptor UI and exploded down the tree
    when the vocabulary knows it; by name, as the records write it, otherwise."""
    label = "MeSH Terms" if tag == "mh" else "MeSH Major Topic"
    value = F.keyword_value(text)
    ui, name = mesh_name(vocabulary, value)
    uis = (vocabulary.explode(ui) if explode else [ui]) if ui else []
    if subheading is None:
        values = tuple(u.lower() for u in uis) if ui else (value,)
        return Keyword((tag,), values, f'"{name}"[{label}]')
    found = vocabulary.subheading(subheading)
    qualifiers = [found] if found and not explode else vocabulary.explode_subheading(subheading)
    qnames = [q.name.lower() for q in qualifiers] or [F.keyword_value(subheading)]
    names = [n.lower() for n in vocabulary.names(uis).values()] if ui else [value]
    pairs = tuple(dict.fromkeys(f"{n}/{q}" for n in names if n for q in qnames))
    pair_tag = "mhsh" if tag == "mh" else "majrsh"
    return Keyword((pair_tag,), pairs, f'"{name}/{qnames[0]}"[{label}]')
