"""The fast reader: split a record file into its records' original bytes, then parse each.

NLM's files are a root element holding a flat run of records. Finding each record's boundaries
with ``bytes.find`` and parsing it on its own with lxml costs less than half of what
``iterparse`` plus re-serialising (``etree.tostring``) costs, and it keeps every record's
*original* bytes, so the stored XML is byte-identical to NLM's. Records are parsed by libxml2 in
full (strictly, entities and network off), so nothing malformed gets past; what lies between
records must be white space, the prolog must be NLM's (XML declaration, an external DOCTYPE, no
internal subset), and the root must close.

A file whose layout is not that plain (another encoding, comments between records, attributes on
the record tags) raises :class:`Declined`; :mod:`pubmirror.medline.reader` (``iterparse``) reads
such files instead. Memory stays flat: the file is read in blocks.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from pubmirror.errors import BadInputError

TakeRecords = Callable[[bytes, int, int, tuple[bytes, ...], list[Any], Any, int], tuple[int, int]]
take_records: TakeRecords | None
try:
    from pubmirror.medline._csplit import take_records
except ImportError:  # pragma: no cover - a build without the extensions
    take_records = None

BLOCK = 8 << 20
RUN = 512  # records the compiled loop cuts out before handing back to the generator
ROOTS = (b"PubmedArticleSet", b"MedlineCitationSet")
RECORDS = (b"PubmedArticle", b"PubmedBookArticle", b"MedlineCitation", b"DeleteCitation")
_PROLOG_ITEM = re.compile(
    rb"\s*(?:<\?xml\s[^?]*\?>|<!--.*?-->|<!DOCTYPE\s+\w+(?:\s+(?:PUBLIC|SYSTEM)(?:\s+(?:\"[^\"]*\"|'[^']*'))+)?\s*>)",
    re.S,
)
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_LINE = re.compile(r"\bline (\d+)")
_START = re.compile(rb"<([A-Za-z]+)(\s[^>]*)?>")

# One parser for all records: strict, and blind to anything outside the record's own bytes.
PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, collect_ids=False
)


class Declined(Exception):
    """The file is not in NLM's plain layout; read it with the iterparse reader instead."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """One top-level element's original bytes and the line it starts on."""

    tag: str
    data: bytes
    line: int

    def __reduce__(self) -> tuple[type[Chunk], tuple[str, bytes, int]]:
        # Chunks are sent to worker processes; this pickles six times faster than the default.
        return Chunk, (self.tag, self.data, self.line)


def parse_chunk(path: str, chunk: Chunk) -> etree._Element:
    """Parse one record strictly; errors name the file and the line within it."""
    try:
        return etree.fromstring(chunk.data, PARSER)
    except etree.XMLSyntaxError as exc:
        line = chunk.line + (exc.lineno or 1) - 1
        # libxml2 counts lines from the record's start; say them as lines of the file.
        reason = _LINE.sub(lambda m: f"line {int(m.group(1)) + chunk.line - 1}", syntax_reason(exc))
        raise BadInputError(path, reason, line) from None


def syntax_reason(exc: etree.XMLSyntaxError) -> str:
    msg = (exc.msg or str(exc)).strip()
    if "UTF-8" in msg or "encoding" in msg.lower():
        return f"invalid UTF-8: {msg}"
    if "ntity" in msg:
        return f"entity not allowed or undefined: {msg}"
    return f"malformed XML: {msg}"


def split_records(path: str, stream: IO[bytes]) -> Iterator[Chunk]:
    """Yield each top-level element of an NLM record file as a :class:`Chunk`."""
    splitter = _Splitter(path, stream)
    yield from splitter.chunks()


class _Splitter:
    def __init__(self, path: str, stream: IO[bytes]) -> None:
        self.path = path
        self.stream = stream
        self.buf = b""
        self.pos = 0
        self.line = 1
        self.eof = False

    def fail(self, reason: str) -> BadInputError:
        return BadInputError(self.path, reason, self.line)

    def more(self) -> bool:
        """Read the next block, dropping what was consumed; False at end of file."""
        if self.eof:
            return False
        try:
            block = self.stream.read(BLOCK)
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            raise BadInputError(self.path, f"damaged or truncated gzip data ({exc})") from None
        if not block:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + block
        self.pos = 0
        return True

    def advance(self, end: int) -> bytes:
        data = self.buf[self.pos:end]
        self.line += data.count(b"\n")
        self.pos = end
        return data

    def chunks(self) -> Iterator[Chunk]:
        root = self.prolog()
        if root in RECORDS:  # a bare record (one efetch'd article) is a one-record file
            yield self.element()
            self.trailer()
            return
        self.advance(_START.match(self.buf, self.pos).end())  # type: ignore[union-attr]
        close = b"</" + root + b">"
        run: list[Chunk] = []
        while True:
            self.skip_space()
            if self.buf.startswith(close, self.pos):
                self.advance(self.pos + len(close))
                break
            if take_records is not None:  # the common case, compiled: whole records in the buffer
                self.pos, self.line = take_records(
                    self.buf, self.pos, self.line, RECORDS, run, Chunk, RUN)
                if run:
                    yield from run
                    run.clear()
                    continue
            yield self.element()
        self.trailer()

    def trailer(self) -> None:
        self.skip_space()
        if self.pos < len(self.buf) or self.more():
            self.skip_space()
            if self.pos < len(self.buf):
                raise self.fail("malformed XML: content after the end of the root element")

    def prolog(self) -> bytes:
        while len(self.buf) < 4096 and self.more():
            pass
        if self.buf.startswith(b"\xef\xbb\xbf"):
            self.advance(3)
        while True:
            match = _PROLOG_ITEM.match(self.buf, self.pos)
            if not match:
                break
            item = match.group(0)
            if item.lstrip().startswith(b"<?xml"):
                enc = _ENCODING.search(item)
                if enc and enc.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
                    raise Declined(f"encoding {enc.group(1).decode()}")
            self.advance(match.end())
        self.skip_space()
        if self.buf.startswith(b"<!DOCTYPE", self.pos):
            if b"<!ENTITY" in self.buf[self.pos:self.pos + 65536]:
                raise self.fail("entity declarations are not allowed in record files")
            raise Declined("DOCTYPE with an internal subset")
        start = _START.match(self.buf, self.pos)
        if not start:
            raise self.fail("malformed XML or not XML at all: no root element found")
        name = start.group(1)
        if name not in ROOTS and name not in RECORDS[:2]:
            raise self.fail(
                f"not MEDLINE/PubMed XML: root element <{name.decode(errors='replace')}>, "
                "expected <PubmedArticleSet> or <MedlineCitationSet>"
            )
        return name

    def skip_space(self) -> None:
        while True:
            n = len(self.buf)
            i = self.pos
            while i < n and self.buf[i] in b" \t\r\n":
                i += 1
            self.advance(i)
            if i < n or not self.more():
                return

    def element(self) -> Chunk:
        while len(self.buf) - self.pos < 64 and self.more():
            pass
        start = _START.match(self.buf, self.pos)
        if not start:
            if self.pos >= len(self.buf):
                raise self.fail("malformed XML: file ends before the root element is closed")
            if self.buf.startswith(b"<!--", self.pos) or self.buf.startswith(b"<?", self.pos):
                raise Declined("comment or processing instruction between records")
            raise self.fail("malformed XML: unexpected text between records")
        name = start.group(1)
        if name not in RECORDS:
            raise self.fail(f"unexpected element <{name.decode(errors='replace')}> in the record list")
        close = b"</" + name + b">"
        offset = start.end() - self.pos  # offsets relative to pos survive a refill
        end = self.buf.find(close, self.pos + offset)
        while end < 0:
            offset = max(offset, len(self.buf) - self.pos - len(close))
            if not self.more():
                raise self.fail(
                    f"malformed XML: file ends inside <{name.decode()}> (truncated file?)"
                )
            end = self.buf.find(close, self.pos + offset)
        line = self.line
        data = self.advance(end + len(close))
        return Chunk(name.decode(), data, line)


def open_and_split(path: Path) -> Iterator[Chunk]:
    """Convenience for tests: split a file by path."""
    from pubmirror.medline.reader import open_xml

    with open_xml(path) as stream:
        yield from split_records(str(path), stream)
