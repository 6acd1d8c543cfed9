"""The splitter's compiled loop cuts files into exactly the chunks the Python splitter does.

``_csplit.take_records`` takes the common case (white space, then a whole record in the buffer)
off ``split.py``'s hands and stops at anything else. Each file is split twice, with the loop and
without it, and the chunks (tag, original bytes, line) and errors must be the same: on every
real file we have and on files edited where a splitter goes wrong.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE_2020, SAMPLE_2021, SEED
from test_cwalk import _shared_files

from pubmirror.errors import BadInputError
from pubmirror.medline import split
from pubmirror.medline.reader import open_xml

pytest.importorskip("pubmirror.medline._csplit")


def _chunks(data: bytes, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The chunks of ``data`` (or the error ending the list), split with or without the loop."""
    with monkeypatch.context() as patch:
        if not compiled:
            patch.setattr(split, "take_records", None)
        patch.setattr(split, "BLOCK", 4096)  # many refills: records across block boundaries
        out: list[object] = []
        try:
            for chunk in split.split_records("f.xml", io.BytesIO(data)):
                out.append((chunk.tag, chunk.data, chunk.line))
        except (BadInputError, split.Declined) as exc:
            out.append(f"{type(exc).__name__}: {exc}")
        return out


def _same(data: bytes, monkeypatch: pytest.MonkeyPatch) -> int:
    fast, slow = _chunks(data, True, monkeypatch), _chunks(data, False, monkeypatch)
    assert fast == slow
    return len(fast)


def _read(path: Path) -> bytes:
    with open_xml(path) as stream:
        return stream.read()


def test_same_chunks_on_the_shared_data(monkeypatch: pytest.MonkeyPatch) -> None:
    files = _shared_files() + [SEED / "pubmed-15866703.xml"]
    assert sum(_same(_read(p), monkeypatch) for p in files) > 850


@pytest.mark.parametrize("name", [SAMPLE_2020, SAMPLE_2021])
def test_same_chunks_on_the_sample(sample: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _read(sample / name)[: 6 << 20]  # cut inside a record: the last item is the error
    assert _same(data, monkeypatch) > 350  # 1,001 and 399 records


def _edits(data: bytes) -> Iterator[bytes]:
    """The file with one thing between or inside records changed."""
    first = data.index(b"<PubmedArticle>")
    second = data.index(b"<PubmedArticle>", first + 1)
    end = data.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    for insert in (b"<!-- c -->", b"<?pi x?>", b"text", b"<Other/>", b"\x0c", b"\r\n\r\n",
                   b"<PubmedArticle/>", b"<DeleteCitation><PMID>1</PMID></DeleteCitation>"):
        yield data[:second] + insert + data[second:]
    yield data[:first] + b'<PubmedArticle attr="1">' + data[first + 15:]
    yield data[:first] + b"<PubmedArticle\n>" + data[first + 15:]
    yield data[:first] + b"<PubmedArticleX>" + data[first + 15:]
    yield data[: end - 1]  # truncated inside the first record's end tag
    yield data[:end]  # the root never closes
    yield data.replace(b"</PubmedArticleSet>", b"</PubmedArticleSet> junk")
    yield data[:end] + b"</PubmedArticleSet>"


def test_same_chunks_and_errors_on_edited_files(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _read(_shared_files()[1])
    assert data.count(b"<PubmedArticle>") >= 2, "need a file with two records"
    for edited in _edits(data):
        _same(edited, monkeypatch)
