"""Reading NLM's MeSH files: the tree file, descriptor XML and qualifier XML (``.gz`` or plain).

* A *tree file* (``2017MeshTree.txt``): UTF-8 (a BOM allowed), tab-separated, the header
  ``Tree Number<TAB>Desc Ui<TAB>Term``, then one row per tree number: the number, the
  descriptor's UI and its preferred name. A descriptor with three tree numbers has three rows.
  Names and tree numbers only: no entry terms, no qualifiers.
* *Descriptor XML* (``desc20XX.xml``): ``DescriptorRecordSet/DescriptorRecord``, read for
  DescriptorUI, DescriptorName/String, TreeNumberList/TreeNumber and every
  ConceptList/Concept/TermList/Term/String (the entry terms).
* *Qualifier XML* (``qual20XX.xml``): ``QualifierRecordSet/QualifierRecord``: QualifierUI,
  QualifierName/String, TreeNumberList/TreeNumber, and the two-letter Abbreviation of the
  record's preferred term.

XML is streamed (lxml ``iterparse``, each record cleared once read), with entity substitution,
DTD loading and the network off: NLM's files start with a DOCTYPE naming a DTD on nlm.nih.gov,
which is never fetched. A file that declares entities, or refers to one the parser left
unresolved, is refused: NLM never does either, and both are how XXE attacks read local files.

Every way a file can be unusable becomes a :class:`~pubmirror.errors.BadInputError` naming the
file and, where known, the line. Readers are generators: the caller writes what they yield in a
transaction and keeps the old vocabulary unless the file was read to its end.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, TypeVar, cast

from lxml import etree

from pubmirror.errors import BadInputError
from pubmirror.mesh.model import (
    DESCRIPTOR_UI, QUALIFIER_UI, Descriptor, Qualifier, is_tree_number,
)  # fmt: skip

Kind = Literal["tree", "descriptors", "qualifiers"]
KINDS: dict[str, Kind] = {"DescriptorRecordSet": "descriptors", "QualifierRecordSet": "qualifiers"}
TREE_HEADER = ("Tree Number", "Desc Ui", "Term")
_HEAD_BYTES = 8192
_FIRST_TAG = re.compile(rb"<([!?]?)([A-Za-z_][\w.:-]*)")
_BOM = b"\xef\xbb\xbf"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Source:
    """A MeSH file identified and fingerprinted, not yet read."""

    path: Path
    kind: Kind
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name

    def descriptors(self) -> Iterator[Descriptor]:
        if self.kind == "tree":
            return read_tree_file(self.path)
        if self.kind == "descriptors":
            return read_descriptors(self.path)
        raise BadInputError(str(self.path), f"a {self.kind} file holds no descriptors")

    def qualifiers(self) -> Iterator[Qualifier]:
        if self.kind != "qualifiers":
            raise BadInputError(str(self.path), f"a {self.kind} file holds no qualifiers")
        return read_qualifiers(self.path)


def open_source(path: Path) -> Source:
    """Identify a MeSH file by its content (not its name) and take its sha256."""
    if not path.is_file():
        raise BadInputError(str(path), "no such file")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    with _reading(path), _stream(path) as stream:
        head = stream.read(_HEAD_BYTES)
    return Source(path, _sniff(path, head), digest.hexdigest(), path.stat().st_size)


def _sniff(path: Path, head: bytes) -> Kind:
    text = head.removeprefix(_BOM).lstrip()
    if not text.startswith(b"<"):
        return "tree"  # the reader checks the header, and says so if it is not one
    for match in _FIRST_TAG.finditer(text):
        if not match.group(1):  # skip <?xml ...?>, <!DOCTYPE ...>, <!ENTITY ...>
            root = match.group(2).decode("ascii")
            if root in KINDS:
                return KINDS[root]
            raise BadInputError(
                str(path), f"not a MeSH file: root element <{root}>, expected"
                " <DescriptorRecordSet> or <QualifierRecordSet>",
            )  # fmt: skip
    raise BadInputError(str(path), "not a MeSH file: no root element in its first 8 KiB")


# --- opening and error mapping ------------------------------------------------------------------
@contextmanager
def _stream(path: Path) -> Iterator[IO[bytes]]:
    """A ``.gz`` (detected by its magic bytes) or plain file, decompressed on the fly."""
    with open(path, "rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        if magic != b"\x1f\x8b":
            yield raw
            return
        with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
            yield cast(IO[bytes], unzipped)


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Map what reading a damaged file raises to one BadInputError naming the file."""
    try:
        yield
    except BadInputError:
        raise
    except etree.XMLSyntaxError as exc:
        raise BadInputError(str(path), _syntax_reason(exc), exc.lineno or None) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BadInputError(str(path), f"damaged or truncated gzip data ({exc})") from None
    except UnicodeDecodeError as exc:
        raise BadInputError(str(path), f"invalid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise BadInputError(str(path), f"cannot read: {exc}") from None


def _syntax_reason(exc: etree.XMLSyntaxError) -> str:
    msg = (exc.msg or str(exc)).strip()
    if "ntity" in msg:
        return f"entity not allowed or undefined: {msg}"
    return f"malformed XML: {msg}"


# --- the tree file ------------------------------------------------------------------------------
def read_tree_file(path: Path) -> Iterator[Descriptor]:
    """Descriptors from a tree file, each with all its tree numbers, in first-seen order.

    A descriptor's rows need not be adjacent, so the whole file is read (about 28,000
    descriptors: a few megabytes) before the first one is yielded.
    """
    found: dict[str, tuple[str, list[str]]] = {}
    with _reading(path), _stream(path) as stream:
        _check_tree_header(path, stream.readline(4096))
        seen: set[str] = set()
        for lineno, raw in enumerate(stream, 2):
            line = _decode(path, lineno, raw)
            if not line.strip():
                continue
            tree, ui, name = _tree_row(path, lineno, line)
            if tree in seen:
                raise BadInputError(str(path), f"tree number {tree} appears twice", lineno)
            seen.add(tree)
            known = found.setdefault(ui, (name, []))
            if known[0] != name:
                raise BadInputError(
                    str(path), f"{ui} is named {name!r} here but {known[0]!r} before", lineno
                )
            known[1].append(tree)
    if not found:
        raise BadInputError(str(path), "a tree file header with no rows")
    for ui, (name, trees) in found.items():
        yield Descriptor(ui, name, tuple(trees))


def _decode(path: Path, lineno: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise BadInputError(str(path), f"invalid UTF-8 ({exc.reason})", lineno) from None


def _check_tree_header(path: Path, first: bytes) -> None:
    header = first.removeprefix(_BOM).decode("utf-8", errors="replace").rstrip("\r\n")
    if tuple(header.split("\t")) != TREE_HEADER:
        raise BadInputError(
            str(path), f"not a MeSH tree file: the header is {header[:80]!r}, expected"
            " 'Tree Number<TAB>Desc Ui<TAB>Term'", 1,
        )  # fmt: skip


def _tree_row(path: Path, lineno: int, line: str) -> tuple[str, str, str]:
    parts = line.split("\t")
    if len(parts) != 3:
        raise BadInputError(str(path), f"{len(parts)} columns, expected 3", lineno)
    tree, ui, name = (p.strip() for p in parts)
    if not is_tree_number(tree):
        raise BadInputError(str(path), f"not a tree number: {tree[:40]!r}", lineno)
    if not DESCRIPTOR_UI.fullmatch(ui):
        raise BadInputError(str(path), f"not a descriptor UI: {ui[:40]!r}", lineno)
    if not name:
        raise BadInputError(str(path), "an empty descriptor name", lineno)
    return tree, ui, name


# --- descriptor and qualifier XML ---------------------------------------------------------------
def read_descriptors(path: Path) -> Iterator[Descriptor]:
    return _read_xml(path, "DescriptorRecordSet", "DescriptorRecord", _descriptor)


def read_qualifiers(path: Path) -> Iterator[Qualifier]:
    return _read_xml(path, "QualifierRecordSet", "QualifierRecord", _qualifier)


def _read_xml(
    path: Path, root_tag: str, record_tag: str, convert: Callable[[Path, etree._Element], T]
) -> Iterator[T]:
    count = 0
    with _reading(path), _stream(path) as stream:
        events = etree.iterparse(
            stream, events=("end",), tag=record_tag, resolve_entities=False, load_dtd=False,
            no_network=True, dtd_validation=False, remove_comments=True, remove_pis=True,
        )  # fmt: skip
        for _, elem in events:
            if count == 0:
                _check_document(path, elem, root_tag)
            _check_record(path, elem, root_tag)
            yield convert(path, elem)
            count += 1
            _release(elem)
        if count == 0:
            root = events.root
            found = f"<{root.tag}>" if root is not None else "no root element"
            raise BadInputError(str(path), f"no <{record_tag}> in the file (root: {found})")


def _check_document(path: Path, elem: etree._Element, root_tag: str) -> None:
    tree = elem.getroottree()
    root = tree.getroot()
    if root.tag != root_tag:
        line = root.sourceline if isinstance(root.sourceline, int) else None
        raise BadInputError(str(path), f"root element <{root.tag}>, expected <{root_tag}>", line)
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in getattr(dtd, "iterentities")()):
        raise BadInputError(str(path), "entity declarations are not allowed in MeSH files")


def _check_record(path: Path, elem: etree._Element, root_tag: str) -> None:
    parent = elem.getparent()
    if parent is None or parent.tag != root_tag:
        raise BadInputError(str(path), f"<{elem.tag}> outside <{root_tag}>", _line(elem))
    if next(elem.iter(etree.Entity), None) is not None:
        # Only an entity declared outside the file (an external DTD we did not load) is left
        # as a reference: reading around it would silently drop text.
        raise BadInputError(str(path), "an unresolved entity reference", _line(elem))


def _release(elem: etree._Element) -> None:
    """Free a read record and the siblings before it: flat memory on NLM's 300 MB files."""
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _line(elem: etree._Element) -> int | None:
    return elem.sourceline if isinstance(elem.sourceline, int) else None


def _required(path: Path, elem: etree._Element, child: str) -> str:
    text = " ".join((elem.findtext(child) or "").split())
    if not text:
        raise BadInputError(str(path), f"<{elem.tag}> without {child}", _line(elem))
    return text


def _tree_numbers(path: Path, elem: etree._Element) -> tuple[str, ...]:
    trees = tuple((t.text or "").strip() for t in elem.iterfind("TreeNumberList/TreeNumber"))
    for tree in trees:
        if not is_tree_number(tree):
            raise BadInputError(str(path), f"not a tree number: {tree[:40]!r}", _line(elem))
    return trees


def _descriptor(path: Path, elem: etree._Element) -> Descriptor:
    # Direct-child paths only: DescriptorUI and String also occur nested (SeeRelatedList,
    # PharmacologicalActionList, EntryCombinationList) naming *other* descriptors.
    ui = _required(path, elem, "DescriptorUI")
    if not DESCRIPTOR_UI.fullmatch(ui):
        raise BadInputError(str(path), f"not a descriptor UI: {ui[:40]!r}", _line(elem))
    name = " ".join((elem.findtext("DescriptorName/String") or "").split()) or _preferred_term(elem)
    if not name:
        raise BadInputError(str(path), f"{ui} has no DescriptorName", _line(elem))
    terms: dict[str, None] = {}  # ordered, de-duplicated
    for term in elem.iterfind("ConceptList/Concept/TermList/Term/String"):
        text = " ".join((term.text or "").split())
        if text and text != name:
            terms[text] = None
    return Descriptor(ui, name, _tree_numbers(path, elem), tuple(terms))


def _preferred_term(elem: etree._Element) -> str:
    """The String of the record's preferred term, for a record without DescriptorName."""
    for term in elem.iterfind("ConceptList/Concept[@PreferredConceptYN='Y']/TermList/Term"):
        if term.get("RecordPreferredTermYN") == "Y":
            return " ".join((term.findtext("String") or "").split())
    return ""


def _qualifier(path: Path, elem: etree._Element) -> Qualifier:
    ui = _required(path, elem, "QualifierUI")
    if not QUALIFIER_UI.fullmatch(ui):
        raise BadInputError(str(path), f"not a qualifier UI: {ui[:40]!r}", _line(elem))
    name = " ".join((elem.findtext("QualifierName/String") or "").split()) or _preferred_term(elem)
    abbreviation = _abbreviation(elem)
    if not name or not re.fullmatch(r"[A-Za-z]{2}", abbreviation):
        what = "name" if not name else f"two-letter Abbreviation (found {abbreviation!r})"
        raise BadInputError(str(path), f"{ui} has no {what}", _line(elem))
    return Qualifier(ui, name.lower(), abbreviation.upper(), _tree_numbers(path, elem))


def _abbreviation(elem: etree._Element) -> str:
    """The record-preferred term's Abbreviation (NLM's layout), else one on the record itself."""
    for term in elem.iterfind("ConceptList/Concept/TermList/Term"):
        if term.get("RecordPreferredTermYN") == "Y" and term.findtext("Abbreviation"):
            return (term.findtext("Abbreviation") or "").strip()
    return (elem.findtext("Abbreviation") or "").strip()
