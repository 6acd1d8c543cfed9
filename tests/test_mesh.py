"""MeSH: reading NLM's files, the SQLite vocabulary, explosion, the ``pubmirror mesh`` commands.

Data:
    the real MeSH 2017 tree file, ``$PUBMIRROR_TESTDATA/mesh/2017MeshTree.txt`` (57,840 rows,
    28,470 descriptors); tests read it with their own few lines of code, not the reader's.
    ``<repo>/../shared/reference/pubmed-user-guide-2024-04-16.md`` for the subheading table.

There is no NLM descriptor or qualifier XML in the shared data. The XML tests build small files
in NLM's structure (``DescriptorRecordSet/DescriptorRecord``: DescriptorUI, DescriptorName/String,
nested SeeRelatedList and PharmacologicalActionList, TreeNumberList, ConceptList/Concept/TermList/
Term/String; ``QualifierRecordSet/QualifierRecord`` with the Abbreviation on the preferred term),
with NLM's DOCTYPE line. Descriptor UIs, names and tree numbers come from real tree-file rows;
the entry terms, qualifier UIs and qualifier tree numbers are written for the test and are not
checked against an NLM file.
"""

from __future__ import annotations

import doctest
import gzip
import hashlib
import html
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DATA, REPO, Done, data_file, run_cli
from pubmirror.errors import BadInputError, NotFoundError
from pubmirror.mesh import (
    GUIDE_SUBHEADINGS, MemoryVocabulary, guide_qualifiers, model, open_source, read_tree_file,
    subtree_bounds,
)  # fmt: skip
from pubmirror.service import Pubmirror
from pubmirror.store.mesh_store import EXPLODE_SQL, SUBTREE_SQL, MeshStore

TREE_FILE = "mesh/2017MeshTree.txt"
GUIDE = REPO.parent / "shared" / "reference" / "pubmed-user-guide-2024-04-16.md"
HEADER = "Tree Number\tDesc Ui\tTerm\n"
SLE = "D008180"  # Lupus Erythematosus, Systemic: C17.300.480 and C20.111.590
IG = "D007136"  # Immunoglobulins: three tree numbers under D12.776
NLM_DTD = "https://www.nlm.nih.gov/databases/dtd"
NLM_DOCTYPE = (
    f'<!DOCTYPE DescriptorRecordSet SYSTEM "{NLM_DTD}/nlmdescriptorrecordset_20170101.dtd">'
)


# --- the real tree file, read independently -----------------------------------------------------
@pytest.fixture(scope="module")
def tree_path() -> Path:
    return data_file(TREE_FILE)


@pytest.fixture(scope="module")
def rows(tree_path: Path) -> list[tuple[str, str, str]]:
    lines = tree_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == HEADER.rstrip("\n")
    split = [line.split("\t") for line in lines[1:]]
    assert all(len(cells) == 3 for cells in split)
    return [(tree, ui, name) for tree, ui, name in split]


@pytest.fixture(scope="module")
def by_ui(rows: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    trees: dict[str, list[str]] = defaultdict(list)
    for tree, ui, _ in rows:
        trees[ui].append(tree)
    return trees


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, tree_path: Path) -> Iterator[Pubmirror]:
    """A data home with the 2017 tree file loaded (in-process; CLI tests use their own home)."""
    with Pubmirror(tmp_path_factory.mktemp("mesh-home")) as svc:
        svc.load_mesh([tree_path])
        yield svc


def stored(svc: Pubmirror) -> MeshStore:
    """The service's vocabulary as the SQLite store it is once something was loaded."""
    assert isinstance(svc.mesh, MeshStore)
    return svc.mesh


def reference_explosion(
    rows: list[tuple[str, str, str]], by_ui: dict[str, list[str]]
) -> dict[str, set[str]]:
    """Every UI's explosion by walking parent → child links (no ranges, no bisect)."""
    kids: dict[str, list[str]] = defaultdict(list)
    at = {tree: ui for tree, ui, _ in rows}
    for tree, _, _ in rows:
        if "." in tree:
            kids[tree.rsplit(".", 1)[0]].append(tree)
    out = {}
    for ui, trees in by_ui.items():
        found, todo = {ui}, list(trees)
        while todo:
            for child in kids[todo.pop()]:
                found.add(at[child])
                todo.append(child)
        out[ui] = found
    return out


# --- reading the tree file ----------------------------------------------------------------------
def test_tree_file_gives_every_row(tree_path: Path, rows: list, by_ui: dict) -> None:
    descriptors = list(read_tree_file(tree_path))
    assert len(rows) == 57_840 and len(by_ui) == 28_470
    assert len(descriptors) == 28_470
    assert sum(len(d.tree_numbers) for d in descriptors) == 57_840
    assert descriptors[0].ui == "D001829" and descriptors[0].name == "Body Regions"  # BOM gone
    assert descriptors[0].tree_numbers == ("A01",)
    names = {ui: name for _, ui, name in rows}
    assert all(d.name == names[d.ui] and list(d.tree_numbers) == by_ui[d.ui] for d in descriptors)
    assert all(d.entry_terms == () for d in descriptors)


def test_load_counts_and_ledger(service: Pubmirror, tree_path: Path) -> None:
    store = stored(service)
    assert store.counts() == {"descriptors": 28_470, "tree_numbers": 57_840, "entry_terms": 0,
                              "qualifiers": 0}  # fmt: skip
    sha = hashlib.sha256(tree_path.read_bytes()).hexdigest()
    assert store.loads() == [("2017MeshTree.txt", "tree", sha)]
    assert store.loaded and store.source == "2017MeshTree.txt (tree file)"


# --- explosion facts of the 2017 tree -----------------------------------------------------------
def test_explode_systemic_lupus(service: Pubmirror) -> None:
    mesh = service.mesh
    assert mesh.explode(SLE) == ["D008180", "D008181", "D020945"]
    assert [mesh.name(u) for u in mesh.explode(SLE)] == [
        "Lupus Erythematosus, Systemic", "Lupus Nephritis",
        "Lupus Vasculitis, Central Nervous System",
    ]
    assert mesh.children(SLE) == ["D008181", "D020945"]
    assert mesh.parents(SLE) == ["D001327", "D003240"]  # Autoimmune / Connective Tissue Diseases
    assert mesh.explode("D008181") == ["D008181"]  # Lupus Nephritis: a leaf in both trees


def test_explode_immunoglobulins_unites_three_tree_numbers(service: Pubmirror) -> None:
    mesh = service.mesh
    found = mesh.explode(IG)
    assert len(found) == 119 and found[0] == IG and len(set(found)) == 119
    assert {"D007074", "D000911", "D001323", "D000069283"} <= set(found)  # IgG, mAbs, Rituximab
    # Bevacizumab sits under D12.776.124.486.485 only, not under the other two.
    ig = mesh.descriptor(IG)
    assert ig is not None and ig.tree_numbers == (
        "D12.776.124.486.485", "D12.776.124.790.651", "D12.776.377.715.548")
    assert "D000068258" in found
    assert len(mesh.explode_tree("D12.776.124.790.651")) == 118  # itself and 117 below


def test_explode_matches_a_tree_walk_on_every_descriptor(
    service: Pubmirror, rows: list, by_ui: dict
) -> None:
    expected = reference_explosion(rows, by_ui)
    memory = MemoryVocabulary(read_tree_file(data_file(TREE_FILE)))
    wrong = [u for u in by_ui if set(service.mesh.explode(u)) != expected[u]]
    assert wrong == []
    assert [u for u in by_ui if set(memory.explode(u)) != expected[u]] == []


def test_children_and_parents_match_the_file(service: Pubmirror, rows: list, by_ui: dict) -> None:
    at = {tree: ui for tree, ui, _ in rows}
    under: dict[str, set[str]] = defaultdict(set)
    for tree, ui, _ in rows:
        under[tree.rsplit(".", 1)[0] if "." in tree else ""].add(ui)
    for ui in sorted(by_ui)[::5]:
        kids = {k for t in by_ui[ui] for k in under[t]}
        ups = {at[t.rsplit(".", 1)[0]] for t in by_ui[ui] if "." in t}
        assert service.mesh.children(ui) == sorted(kids), ui
        assert service.mesh.parents(ui) == sorted(ups), ui


def test_category_explosion_is_one_range_scan(service: Pubmirror, rows: list) -> None:
    mesh = stored(service)
    started = time.perf_counter()
    found = mesh.explode_tree("C")
    seconds = time.perf_counter() - started
    assert len(found) == len({ui for tree, ui, _ in rows if tree.startswith("C")}) == 4_758
    assert seconds < 0.5, f"exploding category C took {seconds:.3f} s"
    names = mesh.names(found)
    assert len(names) == 4_758 and names[SLE] == "Lupus Erythematosus, Systemic"
    assert mesh.names(["D999999", IG]) == {IG: "Immunoglobulins"}
    for sql, args in ((EXPLODE_SQL, (SLE,)), (SUBTREE_SQL, subtree_bounds("C"))):
        plan = [row[3] for row in mesh.db.execute("EXPLAIN QUERY PLAN " + sql, args)]
        assert not [step for step in plan if step.startswith("SCAN")], plan


@pytest.mark.parametrize(
    "prefix", ["C17.300.48", "C17.300.4", "D12.776.124.48", "C1", "C17.300.480"]
)
def test_subtree_bounds_hold_no_string_prefix_siblings(rows: list, prefix: str) -> None:
    # C17.300.48 is a string prefix of C17.300.480 but not its ancestor: a LIKE 'C17.300.48%'
    # would explode it into lupus; the bounds must not.
    lo, hi = subtree_bounds(prefix)
    inside = {tree for tree, _, _ in rows if lo < tree < hi}
    assert inside == {tree for tree, _, _ in rows if tree.startswith(prefix + ".")}
    assert (len(inside) > 0) == (prefix == "C17.300.480")


def test_partial_tree_numbers_explode_to_nothing(service: Pubmirror) -> None:
    store = stored(service)
    assert store.explode_tree("C17.300.48") == []  # not a tree number at all
    sql_rows = store.db.execute(SUBTREE_SQL, subtree_bounds("C17.300.48")).fetchall()
    assert sql_rows == []
    assert store.explode_tree("C17.300.480") == ["D008180", "D008181", "D020945"]


def test_lookup_ignores_case_and_spacing(service: Pubmirror) -> None:
    mesh = service.mesh
    for text in ("Lupus Erythematosus, Systemic", "lupus erythematosus, systemic",
                 "  LUPUS   Erythematosus,\tSYSTEMIC ", "d008180", "D008180"):  # fmt: skip
        assert mesh.lookup(text) == SLE, text
    assert mesh.lookup("Lupus") is None  # no descriptor is named just that
    assert mesh.lookup("D999999") is None
    assert mesh.lookup("immunoglobulins") == IG


def test_model_doctests() -> None:
    assert doctest.testmod(model).failed == 0


# --- loading replaces, bad files change nothing -------------------------------------------------
def write(folder: Path, name: str, text: str, gz: bool = False) -> Path:
    path = folder / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_reload_replaces(tmp_path: Path, tree_path: Path) -> None:
    small = write(tmp_path, "small.txt", HEADER + "C17.300.480\tD008180\tLupus Erythematosus, "
                  "Systemic\nC17.300.480.680\tD008181\tLupus Nephritis\n")  # fmt: skip
    with Pubmirror(tmp_path / "home") as svc:
        svc.load_mesh([tree_path])
        [summary] = svc.load_mesh([small])
        assert (summary.descriptors, summary.tree_numbers) == (2, 2)
        assert svc.mesh.lookup("Immunoglobulins") is None
        assert svc.mesh.explode(SLE) == ["D008180", "D008181"]
        svc.load_mesh([tree_path])
        assert svc.mesh.explode(SLE) == ["D008180", "D008181", "D020945"]
        assert [kind for _, kind, _ in stored(svc).loads()] == ["tree", "tree", "tree"]


SECRET = "TOPSECRET-MESH-4711"

BAD_FILES: dict[str, tuple[str, str | None]] = {
    # name: (content, what the error names; "line N" where the reader knows it)
    "header.txt": ("Tree\tUI\tName\nC17.300.480\tD008180\tLupus\n", "line 1"),
    "columns.txt": (HEADER + "A01\tD001829\tBody Regions\nC17.300.480\tD008180\n", "line 3"),
    "treeno.txt": (HEADER + "C17.300.48X\tD008180\tLupus\n", "line 2"),
    "twice.txt": (HEADER + "A01\tD001829\tBody Regions\nA01\tD001829\tBody Regions\n", "line 3"),
    "empty.txt": (HEADER, None),
    "root.xml": ('<?xml version="1.0"?>\n<PubmedArticleSet></PubmedArticleSet>\n', None),
    "truncated.xml": (f'<?xml version="1.0"?>\n{NLM_DOCTYPE}\n<DescriptorRecordSet>\n'
                      "<DescriptorRecord><DescriptorUI>D008180</DescriptorUI><Descrip", "line"),
    "xxe.xml": (f'<?xml version="1.0"?>\n<!DOCTYPE DescriptorRecordSet [<!ENTITY x SYSTEM'
                f' "file://{{secret}}">]>\n<DescriptorRecordSet><DescriptorRecord><DescriptorUI>'
                "D008180</DescriptorUI><DescriptorName><String>&x;</String></DescriptorName>"
                "</DescriptorRecord></DescriptorRecordSet>\n", None),
    "xxe-external.xml": ('<?xml version="1.0"?>\n<!DOCTYPE DescriptorRecordSet SYSTEM'
                         ' "file://{dtd}">\n<DescriptorRecordSet>\n<DescriptorRecord><DescriptorUI>'
                         "D008180</DescriptorUI><DescriptorName><String>Lupus &x;</String>"
                         "</DescriptorName></DescriptorRecord></DescriptorRecordSet>\n", "line 4"),
}  # fmt: skip


def bad_file(folder: Path, name: str) -> Path:
    secret = write(folder, "secret.txt", SECRET)
    dtd = write(folder, "evil.dtd", f'<!ENTITY x SYSTEM "file://{secret}">\n')
    text = BAD_FILES[name][0].replace("{secret}", str(secret)).replace("{dtd}", str(dtd))
    return write(folder, name, text)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_changes_nothing(service: Pubmirror, tmp_path: Path, name: str) -> None:
    store = stored(service)
    before = (store.counts(), store.loads())
    with pytest.raises(BadInputError) as caught:
        service.load_mesh([bad_file(tmp_path, name)])
    message = str(caught.value)
    assert name in message and SECRET not in message
    where = BAD_FILES[name][1]
    if where is not None:
        assert where in message, message
    assert (store.counts(), store.loads()) == before
    assert service.mesh.explode(SLE) == ["D008180", "D008181", "D020945"]


def test_truncated_gzip_changes_nothing(
    service: Pubmirror, tmp_path: Path, tree_path: Path
) -> None:
    cut = tmp_path / "2017MeshTree.txt.gz"
    cut.write_bytes(gzip.compress(tree_path.read_bytes())[:400_000])
    before = stored(service).counts()
    with pytest.raises(BadInputError, match="truncated gzip"):
        service.load_mesh([cut])
    assert stored(service).counts() == before


def test_one_bad_file_among_good_ones_loads_none(service: Pubmirror, tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", HEADER + "A01\tD001829\tBody Regions\n")
    with pytest.raises(BadInputError):
        service.load_mesh([good, bad_file(tmp_path, "columns.txt")])
    assert stored(service).counts()["descriptors"] == 28_470


# --- descriptor XML ---------------------------------------------------------------------------
def desc_record(ui: str, name: str, trees: list[str], terms: list[str], extra: str = "") -> str:
    tree_xml = "".join(f"<TreeNumber>{t}</TreeNumber>" for t in trees)
    other = "".join(
        f'<Term ConceptPreferredTermYN="N" IsPermutedTermYN="N" LexicalTag="NON"'
        f' RecordPreferredTermYN="N"><TermUI>T{i:06d}</TermUI><String>{t}</String></Term>'
        for i, t in enumerate(terms)
    )
    return f"""<DescriptorRecord DescriptorClass="1">
  <DescriptorUI>{ui}</DescriptorUI>
  <DescriptorName><String>{name}</String></DescriptorName>
  <DateCreated><Year>1999</Year><Month>01</Month><Day>01</Day></DateCreated>{extra}
  <TreeNumberList>{tree_xml}</TreeNumberList>
  <ConceptList>
   <Concept PreferredConceptYN="Y"><ConceptUI>M{ui[1:]}</ConceptUI>
    <ConceptName><String>{name}</String></ConceptName>
    <TermList>
     <Term ConceptPreferredTermYN="Y" IsPermutedTermYN="N" LexicalTag="NON"
           RecordPreferredTermYN="Y"><TermUI>T{ui[1:]}</TermUI><String>{name}</String></Term>
     {other}
    </TermList>
   </Concept>
  </ConceptList>
 </DescriptorRecord>
"""


# Real nested elements of a record that name *other* descriptors: must not be read as this one.
SEE_RELATED = """
  <SeeRelatedList><SeeRelatedDescriptor><DescriptorReferredTo><DescriptorUI>D008181</DescriptorUI>
   <DescriptorName><String>Lupus Nephritis</String></DescriptorName></DescriptorReferredTo>
  </SeeRelatedDescriptor></SeeRelatedList>"""


def desc_xml(doctype: str = NLM_DOCTYPE) -> str:
    records = [
        desc_record("D003240", "Connective Tissue Diseases", ["C17.300"], []),
        desc_record("D001327", "Autoimmune Diseases", ["C20.111"], []),
        desc_record(SLE, "Lupus Erythematosus, Systemic", ["C17.300.480", "C20.111.590"],
                    ["Libman-Sacks Disease", "Lupus Erythematosus Disseminatus",
                     "Systemic Lupus Erythematosus", "systemic  lupus erythematosus"],
                    extra=SEE_RELATED),
        desc_record("D008181", "Lupus Nephritis", ["C17.300.480.680", "C20.111.590.560"],
                    ["Nephritis, Lupus"]),
        desc_record("D020945", "Lupus Vasculitis, Central Nervous System",
                    ["C17.300.480.750", "C20.111.590.750"], []),
    ]  # fmt: skip
    return ('<?xml version="1.0"?>\n' + doctype + '\n<DescriptorRecordSet LanguageCode = "eng">\n'
            + "".join(records) + "</DescriptorRecordSet>\n")  # fmt: skip


@pytest.mark.parametrize("gz", [False, True], ids=["xml", "xml.gz"])
def test_descriptor_xml(tmp_path: Path, tree_path: Path, gz: bool) -> None:
    path = write(tmp_path, "desc2017.xml" + (".gz" if gz else ""), desc_xml(), gz=gz)
    assert open_source(path).kind == "descriptors"
    with Pubmirror(tmp_path / "home") as svc:
        svc.load_mesh([tree_path])
        [summary] = svc.load_mesh([path])  # replaces the tree file's vocabulary: see docs/mesh.md
        assert (summary.kind, summary.descriptors, summary.tree_numbers) == ("descriptors", 5, 8)
        assert summary.entry_terms == 4  # the fourth SLE term differs only in case and spacing
        mesh = svc.mesh
        assert mesh.lookup("Immunoglobulins") is None
        for text in ("systemic lupus erythematosus", "LIBMAN-SACKS DISEASE", "D008180"):
            assert mesh.lookup(text) == SLE, text
        assert mesh.lookup("nephritis, lupus") == "D008181"
        sle = mesh.descriptor(SLE)
        assert sle is not None and sle.name == "Lupus Erythematosus, Systemic"
        assert sle.entry_terms == ("Libman-Sacks Disease", "Lupus Erythematosus Disseminatus",
                                   "Systemic Lupus Erythematosus")  # fmt: skip
        assert mesh.explode(SLE) == ["D008180", "D008181", "D020945"]
        assert mesh.parents(SLE) == ["D001327", "D003240"]
        assert mesh.source == path.name + " (descriptor XML)"


def test_descriptor_xml_dtd_is_never_read(tmp_path: Path) -> None:
    # A DOCTYPE naming a broken local DTD: loading that DTD would be a syntax error.
    dtd = write(tmp_path, "broken.dtd", "<!ELEMENT oops (((\n")
    doctype = f'<!DOCTYPE DescriptorRecordSet SYSTEM "file://{dtd}">'
    path = write(tmp_path, "desc.xml", desc_xml(doctype))
    assert len(list(open_source(path).descriptors())) == 5


# --- qualifiers (subheadings) -------------------------------------------------------------------
def qual_record(ui: str, name: str, abbreviation: str, trees: list[str]) -> str:
    tree_xml = "".join(f"<TreeNumber>{t}</TreeNumber>" for t in trees)
    return f"""<QualifierRecord>
  <QualifierUI>{ui}</QualifierUI><QualifierName><String>{name}</String></QualifierName>
  <TreeNumberList>{tree_xml}</TreeNumberList>
  <ConceptList><Concept PreferredConceptYN="Y"><ConceptUI>M{ui[1:]}</ConceptUI>
   <TermList><Term ConceptPreferredTermYN="Y" IsPermutedTermYN="N" LexicalTag="NON"
     RecordPreferredTermYN="Y"><TermUI>T{ui[1:]}</TermUI><String>{name}</String>
     <Abbreviation>{abbreviation}</Abbreviation><EntryVersion>X</EntryVersion></Term></TermList>
  </Concept></ConceptList>
 </QualifierRecord>
"""


def test_qualifier_xml(tmp_path: Path) -> None:
    records = [qual_record("Q000628", "therapy", "TH", ["Y07.010"]),
               qual_record("Q000188", "drug therapy", "DT", ["Y07.010.100"]),
               qual_record("Q000178", "diet therapy", "DH", ["Y07.010.050"]),
               qual_record("Q000008", "administration &amp; dosage", "AD",
                           ["Y07.020"])]  # fmt: skip
    path = write(tmp_path, "qual2017.xml", '<?xml version="1.0"?>\n<!DOCTYPE QualifierRecordSet'
                 f' SYSTEM "{NLM_DTD}/nlmqualifierrecordset_20170101.dtd">'
                 '\n<QualifierRecordSet LanguageCode = "eng">\n' + "".join(records)
                 + "</QualifierRecordSet>\n")  # fmt: skip
    small = write(tmp_path, "small.txt", HEADER + "C17.300.480\tD008180\tLupus Erythematosus, "
                  "Systemic\nC17.300.480.680\tD008181\tLupus Nephritis\n")  # fmt: skip
    with Pubmirror(tmp_path / "home") as svc:
        svc.load_mesh([small])
        mesh = svc.mesh
        guide_dt = mesh.subheading("dt")  # before: the User Guide's table
        assert guide_dt is not None and guide_dt.ui is None and guide_dt.name == "drug therapy"
        assert [q.name for q in mesh.explode_subheading("therapy")] == ["therapy"]
        [summary] = svc.load_mesh([path])
        assert (summary.kind, summary.qualifiers, summary.descriptors) == ("qualifiers", 4, 2)
        assert mesh.explode(SLE) == ["D008180", "D008181"]  # descriptors untouched
        dt = mesh.subheading("DT")
        assert dt is not None and (dt.ui, dt.name) == ("Q000188", "drug therapy")
        ad = mesh.subheading("Administration and Dosage")
        assert ad is not None and ad.name == "administration & dosage"
        assert mesh.subheading("tu") is None  # a loaded file replaces the guide's table
        names = [q.name for q in mesh.explode_subheading("therapy")]
        assert names == ["therapy", "diet therapy", "drug therapy"]


def test_guide_table_is_the_user_guides(tmp_path: Path) -> None:
    if not GUIDE.exists():
        pytest.skip(f"the User Guide is not at {GUIDE}")
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("### MeSH Subheadings"):text.index("### Stopwords")]
    pairs = set()
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[A-Z]{2}", cells[0]):
            pairs |= {(cells[0], cells[1]), (cells[2], cells[3])}
    assert len(pairs) == 76
    assert set(GUIDE_SUBHEADINGS) == pairs and len(GUIDE_SUBHEADINGS) == 76


def test_guide_table_spells_qualifiers_as_medline_does() -> None:
    seen = set()
    for path in DATA.rglob("*.xml"):
        for m in re.finditer(rb"<QualifierName[^>]*>([^<]*)</QualifierName>", path.read_bytes()):
            seen.add(" ".join(html.unescape(m.group(1).decode()).split()))
    if not seen:
        pytest.skip(f"no MEDLINE XML under {DATA}")
    assert len(seen) > 50
    # The four the guide no longer lists were replaced by "diagnostic imaging" in MeSH 2016.
    retired = {"radiography", "radionuclide imaging", "ultrasonography", "diagnostic use"}
    assert seen - {q.name for q in guide_qualifiers()} == retired


# --- without a vocabulary -----------------------------------------------------------------------
def test_without_a_vocabulary(tmp_path: Path) -> None:
    with Pubmirror(tmp_path) as svc:
        mesh = svc.mesh
        assert not mesh.loaded and mesh.source is None
        assert mesh.lookup("Lupus Erythematosus, Systemic") is None
        assert mesh.explode(SLE) == [] and mesh.explode_tree("C") == []
        assert mesh.subheading("tu") is not None  # the guide's table needs no file
        with pytest.raises(NotFoundError, match="no MeSH vocabulary"):
            svc.mesh_ui("lupus")
    assert not (tmp_path / "mesh.sqlite").exists()


# --- the command line ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory, tree_path: Path) -> tuple[Path, Done]:
    home = tmp_path_factory.mktemp("mesh-cli")
    return home, run_cli(home, "mesh", "load", str(tree_path))


def test_cli_load(cli_home: tuple[Path, Done]) -> None:
    _, done = cli_home
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"2017MeshTree\.txt: tree file: 28,470 descriptors, 57,840 tree numbers,"
                        r" 0 entry terms \([\d.]+ s\)\n", done.stdout), done.stdout  # fmt: skip


def test_cli_show(cli_home: tuple[Path, Done]) -> None:
    done = run_cli(cli_home[0], "mesh", "show", "lupus ERYTHEMATOSUS, systemic")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:4] == ["UI            D008180", "Name          Lupus Erythematosus, Systemic",
                         "Tree numbers  C17.300.480", "              C20.111.590"]  # fmt: skip
    assert "Parents       D001327  Autoimmune Diseases" in lines
    assert "Children      2" in lines and "Explodes to   3 descriptors" in lines


def test_cli_explode(cli_home: tuple[Path, Done]) -> None:
    home = cli_home[0]
    done = run_cli(home, "mesh", "explode", SLE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "D008180\tLupus Erythematosus, Systemic",
        "D008181\tLupus Nephritis",
        "D020945\tLupus Vasculitis, Central Nervous System",
    ]
    assert run_cli(home, "mesh", "explode", "immunoglobulins", "--count").stdout == "119\n"
    assert run_cli(home, "mesh", "explode", "C", "--count").stdout == "4758\n"
    missing = run_cli(home, "mesh", "explode", "C17.300.48")
    assert missing.returncode == 1 and "C17.300.48" in missing.stderr


@pytest.mark.parametrize("name", ["header.txt", "truncated.xml", "xxe.xml"])
def test_cli_bad_file_exits_2_and_keeps_the_vocabulary(
    cli_home: tuple[Path, Done], tmp_path: Path, name: str
) -> None:
    home = cli_home[0]
    done = run_cli(home, "mesh", "load", str(bad_file(tmp_path, name)))
    assert done.returncode == 2, done.stderr
    assert done.err_lines[0].startswith(f"pubmirror: error: {tmp_path / name}")
    assert SECRET not in done.stdout + done.stderr
    store = MeshStore(home / "mesh.sqlite")
    try:
        assert store.counts()["descriptors"] == 28_470 and len(store.loads()) == 1
    finally:
        store.close()


def test_cli_without_a_vocabulary(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "mesh", "show", "lupus")
    assert done.returncode == 1 and "no MeSH vocabulary is loaded" in done.stderr
    assert not (tmp_path / "mesh.sqlite").exists()
