"""The display registry: one :class:`Format` per output, looked up by name or by efetch parameters.

Every face (efetch, the CLI, the web UI) asks this registry for a writer, so a display exists in
one place only. A writer is a function from a sequence of :class:`Entry` (one stored record each)
to the whole document as ``str``; the caller encodes it (UTF-8).

NCBI's efetch for PubMed answers ``rettype``/``retmode`` pairs: ``(null)``/``xml`` and
``xml``/``xml`` → PubmedArticleSet, ``medline``/``text`` → MEDLINE, ``uilist``/``text`` → PMID
list, ``abstract``/``text`` → Abstract text. Each :class:`Format` lists the pairs it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from pubmirror.errors import UnknownFormatError
from pubmirror.medline.model import Record


class Entry:
    """One record handed to a writer: its PMID, version and the stored element bytes.

    ``record`` parses the element on first use, so writers that copy bytes (xml) or print
    PMIDs never pay for parsing.
    """

    def __init__(self, pmid: int, version: int, xml: bytes) -> None:
        self.pmid = pmid
        self.version = version
        self.xml = xml

    @cached_property
    def record(self) -> Record:
        from pubmirror.medline.parse import parse_record  # layer 1; imported when first needed

        return parse_record(self.xml)

    def __repr__(self) -> str:
        return f"Entry(pmid={self.pmid}, version={self.version}, xml=<{len(self.xml)} bytes>)"


@dataclass(frozen=True)
class Format:
    """A registered display: how to name, label, serve and render it."""

    name: str
    title: str
    media_type: str
    extension: str
    render: Callable[[Sequence[Entry]], str]
    efetch: tuple[tuple[str, str], ...] = ()


_FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format; a second format with the same name or efetch pair is a programming error."""
    if fmt.name in _FORMATS:
        raise ValueError(f"format {fmt.name!r} is already registered")
    for pair in fmt.efetch:
        owner = _efetch_owner(*pair)
        if owner is not None:
            raise ValueError(f"efetch {pair} is already answered by {owner.name!r}")
    _FORMATS[fmt.name] = fmt
    return fmt


def get(name: str) -> Format:
    """The format called ``name``; :class:`UnknownFormatError` lists the known names."""
    try:
        return _FORMATS[name]
    except KeyError:
        raise UnknownFormatError(
            f"unknown format {name!r}; known formats: {', '.join(names())}"
        ) from None


def names() -> list[str]:
    """Registered format names, in registration order."""
    return list(_FORMATS)


def for_efetch(rettype: str, retmode: str) -> Format:
    """The format answering an efetch ``rettype``/``retmode`` pair (case-insensitive)."""
    found = _efetch_owner(rettype.strip().lower(), retmode.strip().lower())
    if found is None:
        known = "; ".join(f"rettype={r or '(null)'} retmode={m}" for f in _FORMATS.values()
                          for r, m in f.efetch)
        raise UnknownFormatError(
            f"efetch rettype={rettype or '(null)'!s} retmode={retmode!s} is not supported; "
            f"supported: {known}"
        )
    return found


def _efetch_owner(rettype: str, retmode: str) -> Format | None:
    for fmt in _FORMATS.values():
        if (rettype, retmode) in fmt.efetch:
            return fmt
    return None
