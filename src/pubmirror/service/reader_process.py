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

import gc
import os
import signal
import time
import warnings
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubmirror.errors import DataError
from pubmirror.index.base import Encoder, StreamEncoder
from pubmirror.medline.reader import Deletion, open_xml
from pubmirror.medline.split import Declined, split_records
from pubmirror.service.prepare import BATCH, DICT_SAMPLES, Prepared, Preparer, train_dictionary

if TYPE_CHECKING:  # multiprocessing costs a start 35 ms: imported when a process starts
    from multiprocessing.connection import Connection

    from pubmirror.store.sqlite_store import Store

Batch = list[Prepared | Deletion]


def read_file(
    path: str, conn: Connection, encode: Encoder, encode_stream: StreamEncoder | None
) -> None:
    """The child's side: send the file's batches to the parent (module docstring)."""
    try:
        with open_xml(Path(path), threaded=True) as stream:
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


class ReaderProcess:
    """The parent's side: the reader is a fork of the ingest process.

    A fork starts in about 10 ms with every module already imported, where multiprocessing's
    fork server, used before, made each command's first file wait 0.12–0.17 s while a fresh
    interpreter imported the reader's modules (measured). Forking is safe here because no thread
    that might hold a lock the child needs runs at that moment: ingest opens tantivy's writer,
    and with it the indexing threads, only after the reader starts, and drops it at each file's
    commit. The threads that may run (tantivy's watcher of the index's meta file, rich's refresh
    of a progress bar, the zstd thread of a file prepared in the ingest process) hold no lock the
    reader takes: it touches neither tantivy nor the standard streams, forgets the parent's zstd
    pool (``prepare._forget_pool``), and leaves by ``os._exit``, which flushes nothing and runs no
    finaliser."""

    def __init__(self, path: Path, encoders: tuple[Encoder, StreamEncoder | None]) -> None:
        from multiprocessing.connection import Pipe

        self.path = path
        self.conn, child = Pipe(duplex=True)
        gc.freeze()  # the parent's objects stay frozen in the child: no finaliser runs there
        try:
            with warnings.catch_warnings():  # 3.12+ warns of forking with threads: see above
                warnings.simplefilter("ignore", DeprecationWarning)
                self.pid = os.fork()
        except BaseException:
            gc.unfreeze()
            raise
        if self.pid == 0:  # the reader
            code = 1
            try:
                self.conn.close()
                read_file(str(path), child, *encoders)
                code = 0
            finally:
                os._exit(code)
        gc.unfreeze()
        child.close()
        self._status: int | None = None

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
            raise DataError(
                f"the process reading {self.path} ended unexpectedly"
                f" ({self._wait(5.0)}); nothing of the file was applied"
            ) from None

    def close(self) -> None:
        """Stop the child if it still runs (the parent failed or skipped the file)."""
        self.conn.close()
        if self._wait(0.5) == "running":
            os.kill(self.pid, signal.SIGKILL)
            self._wait(None)

    def _wait(self, timeout: float | None) -> str:
        """Reap the child, waiting up to ``timeout`` seconds (None: as long as it takes); how
        it ended, or ``running``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._status is None:
            pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                self._status = status
            elif deadline is not None and time.monotonic() >= deadline:
                return "running"
            else:
                time.sleep(0.005)
        if os.WIFSIGNALED(self._status):
            return f"killed by signal {os.WTERMSIG(self._status)}"
        return f"exit code {os.waitstatus_to_exitcode(self._status)}"
