"""The exception tree. A leaf module: it imports nothing from the package.

    PubmirrorError            every domain error; ``exit_code`` and ``http_status`` say how faces map it
    ├── BadInputError         a file we were asked to ingest is unusable (exit 2, HTTP 400)
    ├── NotFoundError         a PMID or version we do not have (exit 1, HTTP 404)
    ├── UnknownFormatError    a display format that is not registered (exit 2, HTTP 400)
    ├── UsageError            arguments that make no sense (exit 2, HTTP 400)
    └── DataError             the data home is unusable: locked, corrupt, wrong version (exit 3, HTTP 503)

Faces map these in one place each (``faces/cli.py``), never by catching them ad hoc.
"""

from __future__ import annotations


class PubmirrorError(Exception):
    exit_code = 1
    http_status = 500


class BadInputError(PubmirrorError):
    """An input file is damaged or not NLM XML; names the file and, where known, the line."""

    exit_code = 2
    http_status = 400

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type[BadInputError], tuple[str, str, int | None]]:
        # Raised in ingest's worker processes: it must survive pickling back to the parent.
        return (type(self), (self.path, self.reason, self.line))


class NotFoundError(PubmirrorError):
    exit_code = 1
    http_status = 404


class UnknownFormatError(PubmirrorError):
    exit_code = 2
    http_status = 400


class UsageError(PubmirrorError):
    exit_code = 2
    http_status = 400


class DataError(PubmirrorError):
    exit_code = 3
    http_status = 503
