"""PubMed's search field tags: every accepted spelling mapped to one canonical tag.

The canonical tag is PubMed's short tag (``ti``, ``tiab``, ``mh`` …), which is also the field name
in :mod:`pubmirror.index.schema`, so later stages need no second table. Spellings are compared
case-insensitively and with all whitespace removed (the User Guide: "Case and spacing do not
matter"), so ``[Title/Abstract]``, ``[title / abstract]`` and ``[TIAB]`` are one tag.

Sources, all stored copies:

* the short tags and long names are the headings of the PubMed User Guide (April 2024),
  "PubMed data field descriptions" (``reference/pubmed-user-guide-2024-04-16.md``);
* ``[pdat]``, ``[uid]``, ``[filter]``, ``[epdat]``, ``[ppdat]``: the same guide's text;
* ``[jour]`` and the upper-case four-letter names (``TITL``, ``MESH``, ``AUTH`` …) are the field
  names of PubMed's EInfo (Biopython ``Tests/Entrez/einfo2.xml``), which E-utilities accept in
  ``term`` and ``field=``; the EInfo full names (``Text Word``, ``Entrez Date`` …) likewise;
* ``Date - Publication`` style names are the Advanced Search builder's menu and the names
  PubMed prints in Search Details (``[Date - Entry]`` in Biopython ``esearch2.xml``).

Tags that are not PubMed's (``[ab]``, ``[so]``, ``[is]``) are deliberately absent: the parser
reports them as ``unknown-tag``, as PubMed does.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Field", "FIELDS", "lookup", "normalize", "spellings"]


@dataclass(frozen=True)
class Field:
    """One searchable field.

    Attributes:
        tag: the canonical short tag, e.g. ``"tiab"``.
        name: the long name PubMed prints in Search Details, e.g. ``"Title/Abstract"``.
        aliases: every other accepted spelling (long or short), as written in the sources.
        date: a date field: ``yyyy/mm/dd`` values, ranges and relative dates.
        explodes: hierarchical; ``[tag:noexp]`` turns the explosion off.
        proximity: ``"a b"[tag:~N]`` is allowed (Title, Title/Abstract, Affiliation only).
        subheadings: ``Term/Subheading`` is MeSH/subheading syntax in this field.
    """

    tag: str
    name: str
    aliases: tuple[str, ...] = ()
    date: bool = False
    explodes: bool = False
    proximity: bool = False
    subheadings: bool = False

    @property
    def spellings(self) -> tuple[str, ...]:
        """The tag, the long name and the aliases, as written."""
        return (self.tag, self.name, *self.aliases)


def _date(tag: str, name: str, *aliases: str) -> Field:
    return Field(tag, name, aliases, date=True)


FIELDS: tuple[Field, ...] = (
    Field("ad", "Affiliation", ("AFFL",), proximity=True),
    Field("aid", "Article Identifier"),
    Field("all", "All Fields"),
    Field("au", "Author", ("AUTH",)),
    Field("auid", "Author Identifier"),
    Field("book", "Book"),
    _date("dcom", "Completion Date", "CDAT", "Date - Completion"),
    Field("cois", "Conflict of Interest Statement", ("Conflict of Interest Statements",)),
    Field("cn", "Corporate Author", ("COLN",)),
    _date("crdt", "Create Date", "Date - Create"),
    Field("rn", "EC/RN Number", ("ECNO",)),
    Field("ed", "Editor"),
    _date("edat", "Entry Date", "Entrez Date", "Date - Entry"),
    Field("sb", "Subset", ("Filter", "FILT")),
    Field("1au", "First Author Name", ("First Author", "FAUT")),
    Field("fau", "Full Author Name", ("FULL",)),
    Field("fir", "Full Investigator Name", ("FINV",)),
    Field("gr", "Grants and Funding", ("Grant Number", "GRNT")),
    Field("ir", "Investigator", ("INVR",)),
    Field("isbn", "ISBN"),
    Field("ip", "Issue", ("ISS",)),
    Field("ta", "Journal", ("jour", "Journal Title")),
    Field("la", "Language", ("LANG",)),
    Field("lastau", "Last Author Name", ("Last Author", "LAUT")),
    Field("lid", "Location ID"),
    _date("mhda", "MeSH Date", "Date - MeSH"),
    Field("majr", "MeSH Major Topic", explodes=True, subheadings=True),
    Field("sh", "MeSH Subheading", ("MeSH Subheadings", "SUBH"), explodes=True),
    Field("mh", "MeSH Terms", ("MeSH", "MeSH Term"), explodes=True, subheadings=True),
    _date("lr", "Modification Date", "MDAT", "Date - Modification"),
    Field("jid", "NLM Unique ID"),
    Field("ot", "Other Term", ("OTRM",)),
    Field("pg", "Pagination", ("PAGE",)),
    Field("ps", "Personal Name as Subject"),
    Field("pa", "Pharmacological Action", ("Pharmacologic Action", "PAPX")),
    Field("pl", "Place of Publication", ("CNTY",)),
    Field("pmid", "PMID", ("uid",)),
    _date("dp", "Publication Date", "pdat", "Date - Publication"),
    _date("epdat", "Electronic Publication Date", "EPDT"),
    _date("ppdat", "Print Publication Date", "PPDT"),
    Field("pt", "Publication Type", ("PTYP",), explodes=True),
    Field("pubn", "Publisher"),
    Field("si", "Secondary Source ID"),
    Field("nm", "Supplementary Concept", ("Substance Name", "SUBS")),
    Field("tw", "Text Words", ("Text Word", "WORD")),
    Field("ti", "Title", ("TITL",), proximity=True),
    Field("tiab", "Title/Abstract", proximity=True),
    Field("tt", "Transliterated Title"),
    Field("vi", "Volume", ("VOL",)),
)


def normalize(spelling: str) -> str:
    """The form spellings are compared in: case-folded, whitespace removed, en dash as hyphen.

    The en dash matters because the User Guide itself writes the builder's "Date – Publication".
    """
    return "".join(spelling.replace("\u2013", "-").casefold().split())


def _build() -> dict[str, Field]:
    table: dict[str, Field] = {}
    for field in FIELDS:
        for spelling in field.spellings:
            key = normalize(spelling)
            # A spelling shared by two fields would make a tag ambiguous: fail at import.
            assert table.get(key, field) is field, f"{spelling!r} names two fields"
            table[key] = field
    return table


_TABLE = _build()


def lookup(spelling: str) -> Field | None:
    """The field a tag spelling names (without brackets or ``:option``), or ``None``.

    >>> lookup("Title/Abstract").tag
    'tiab'
    >>> lookup("ab") is None
    True
    """
    return _TABLE.get(normalize(spelling))


def spellings() -> dict[str, Field]:
    """Every accepted spelling, normalized, with its field (a copy)."""
    return dict(_TABLE)
