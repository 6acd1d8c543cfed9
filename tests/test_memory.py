"""Both readers stream: memory does not grow with the file (the 233 MB update file here)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from lxml import etree

from pubmirror.medline.reader import Item, read_records
from pubmirror.medline.split import BLOCK, open_and_split

SAMPLE_2021 = "pubmed21n1298.xml.gz"  # 233 MB of XML, 20,788 records


def test_splitter_holds_a_block_not_the_file(sample: Path) -> None:
    tracemalloc.start()
    try:
        count = biggest = 0
        for chunk in open_and_split(sample / SAMPLE_2021):
            count += 1
            biggest = max(biggest, len(chunk.data))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_789  # 20,788 records and one DeleteCitation list
    # The buffer is a block plus what is left of the previous one, whatever the file's size.
    assert peak < 4 * BLOCK + 4 * biggest, (peak, biggest)
    assert peak < 233_000_000 / 5


def test_iterparse_reader_clears_what_it_has_handled(sample: Path) -> None:
    widest = 0

    def handle(elem: etree._Element) -> int:
        nonlocal widest
        parent = elem.getparent()
        widest = max(widest, len(parent) if parent is not None else 0)
        return len(elem)

    items = [i for i in read_records(sample / SAMPLE_2021, handle) if isinstance(i, Item)]
    assert len(items) == 20_788
    # Handled records are released: the root holds only what libxml2 has parsed ahead of the
    # current event (a read buffer's worth, 15 records here), never the file's 20,788.
    assert widest < 100
