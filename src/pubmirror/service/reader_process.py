"""Ingest on two CPUs: one file read, split, scanned, encoded and compressed in a process of its
own, while the ingest process applies the batches it sends back and feeds tantivy.

With everything in the ingest process, its main thread was the bottleneck on two CPUs: it was the
only thread with work 28% of the time (sampled thread states, start-up included), since what it
does holds the GIL. A reader process takes the records' preparation off it; the ingest process
keeps only what must happen there (the SQLite transaction and tantivy's writer).

The protocol, over one duplex pipe, child → parent unless marked:

1. ``("dict", bytes | None)``: the zstd dictionary trained on the file's first records, if it has
   enough of them; the parent stores it and answers (parent → child) ``(codec, dictionary)``, the
   codec and dictionary to compress with (the new one, or the latest stored);
2. ``("batch", [Prepared | Deletion, ...])``, in file order;
3. ``("end", None)``; or, ending early, ``("declined", reason)`` (the file is not in NLM's plain
   layout: the parent starts the file over with the iterparse reader) or ``("error", exception)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pubmirror.errors import DataError
from pubmirror.index.base import Encoder, StreamEncoder
from pubmirror.medline.reader import Deletion, open_xml
from pubmirror.medline.split import Declined, split_records
from pubmirror.service.prepare import BATCH, DICT_SAMPLES, Prepared, Preparer, train_dictionary

if TYPE_CHECKING:  # multiprocessing costs a start 35 ms: imported when a process starts
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkServerContext
    from multiprocessing.process import BaseProcess

    from pubmirror.store.sqlite_store import Store

Batch = list[Prepared | Deletion]


def read_file(
    path: str, conn: Connection, encode: Encoder, encode_stream: StreamEncoder | None
) -> None:
    """The child's side: send the file's batches to the parent (module docstring)."""
    try:
        with open_xml(Path(path)) as stream:
            chunks = split_records(path, stream)
            first = list(islice(chunks, DICT_SAMPLES))
            conn.send(("dict", train_dictionary(first)))
            codec, dict_bytes = conn.recv()
            preparer = Preparer(codec, dict_bytes, encode, encode_stream)
            for start in range(0, len(first), BATCH):
                conn.send(("batch", preparer.chunks(path, first[start:start + BATCH])))
            while batch := list(islice(chunks, BATCH)):
                conn.send(("batch", preparer.chunks(path, batch)))
        conn.send(("end", None))
    except (BrokenPipeError, EOFError):  # the parent stopped listening: it skipped the file or failed
        pass
    except Declined as exc:
        _tell(conn, ("declined", str(exc)))
    except BaseException as exc:  # every error goes back to the parent, which raises it
        _tell(conn, ("error", exc))
    finally:
        conn.close()


def _tell(conn: Connection, message: tuple[str, object]) -> None:
    try:
        conn.send(message)
    except OSError:  # the parent is gone or no longer listening: nobody to tell
        pass


def forkserver_context(*targets: Callable[..., object] | None) -> ForkServerContext:
    """multiprocessing's fork server, told to import the modules of what its children run.

    Forking a process whose tantivy threads run is not safe; the server imports those modules
    once, before it forks each child (ingest's reader processes and worker pools both use it)."""
    from multiprocessing import get_context

    context = cast("ForkServerContext", get_context("forkserver"))
    context.set_forkserver_preload(sorted({t.__module__ for t in targets if t is not None}))
    return context


class ReaderProcess:
    """The parent's side. The first start of a command waits for the fork server to boot
    (0.17 s); later ones take about 2 ms (measured)."""

    def __init__(self, path: Path, encoders: tuple[Encoder, StreamEncoder | None]) -> None:
        context = forkserver_context(read_file, *encoders)
        self.path = path
        self.conn, child = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(
            target=read_file, args=(str(path), child, *encoders), daemon=True,
            name=f"pubmirror-reader {path.name}",
        )  # fmt: skip
        self.process.start()
        child.close()

    def batches_of(self, store: Store) -> Callable[[Path], Iterator[Batch]]:
        """Ingest's reader of this file (the path is the one the process was started with)."""
        return lambda path: self.batches(store)

    def batches(self, store: Store) -> Iterator[Batch]:
        """The file's batches; the dictionary goes into ``store`` inside its transaction."""
        while True:
            kind, payload = self._receive()
            if kind == "batch":
                yield payload
            elif kind == "dict":
                self.conn.send(store.codec_for(payload))
            elif kind == "end":
                return
            elif kind == "declined":
                raise Declined(payload)
            else:
                raise payload

    def _receive(self) -> tuple[str, Any]:
        try:
            message: tuple[str, Any] = self.conn.recv()
            return message
        except (EOFError, OSError):  # it died, maybe mid-message: killed, or out of memory
            self.process.join(timeout=5)
            raise DataError(
                f"the process reading {self.path} ended unexpectedly"
                f" (exit code {self.process.exitcode}); nothing of the file was applied"
            ) from None

    def close(self) -> None:
        """Stop the child if it still runs (the parent failed or skipped the file)."""
        self.conn.close()
        self.process.join(timeout=0.5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
