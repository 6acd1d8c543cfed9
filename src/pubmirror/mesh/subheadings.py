"""PubMed's 76 MeSH subheadings and their two-letter abbreviations, from the PubMed User Guide.

The table is the User Guide's own ("MeSH Subheadings", April 2024, stored as
``reference/pubmed-user-guide-2024-04-16.md``): PubMed defines ``dt[sh]`` and ``aspirin/tu[mh]``
by it, so it is query-language reference, not vocabulary data. It is the fallback for
:meth:`~pubmirror.mesh.vocabulary.Vocabulary.subheading` when no qualifier file (NLM's
``qual20XX.xml``) is loaded; a loaded file wins, and adds UIs and the qualifier tree.

The guide writes "Administration and Dosage" where MEDLINE XML (and so the index) writes
"administration & dosage": :func:`guide_qualifiers` gives NLM's spelling, lower case with ``&``
for the guide's "and" (no qualifier name has a literal "and"; ``tests/test_mesh.py`` checks
the spellings against the QualifierName values of real MEDLINE files).
"""

from __future__ import annotations

from functools import cache

from pubmirror.mesh.model import Qualifier

# (abbreviation, name) as printed in the guide, in its order (left column, then right).
GUIDE_SUBHEADINGS: tuple[tuple[str, str], ...] = (
    ("AB", "Abnormalities"), ("AD", "Administration and Dosage"), ("AE", "Adverse Effects"),
    ("AG", "Agonists"), ("AA", "Analogs and Derivatives"), ("AN", "Analysis"),
    ("AH", "Anatomy and Histology"), ("AI", "Antagonists and Inhibitors"),
    ("BI", "Biosynthesis"), ("BS", "Blood Supply"), ("BL", "Blood"),
    ("CF", "Cerebrospinal Fluid"), ("CS", "Chemical Synthesis"), ("CI", "Chemically Induced"),
    ("CH", "Chemistry"), ("CL", "Classification"), ("CO", "Complications"),
    ("CN", "Congenital"), ("CY", "Cytology"), ("DF", "Deficiency"), ("DI", "Diagnosis"),
    ("DH", "Diet Therapy"), ("DG", "Diagnostic Imaging"), ("DE", "Drug Effects"),
    ("DT", "Drug Therapy"), ("EC", "Economics"), ("ED", "Education"), ("EM", "Embryology"),
    ("EN", "Enzymology"), ("EP", "Epidemiology"), ("ES", "Ethics"), ("EH", "Ethnology"),
    ("ET", "Etiology"), ("GE", "Genetics"), ("GD", "Growth and Development"),
    ("HI", "History"), ("IM", "Immunology"), ("IN", "Injuries"),
    ("IR", "Innervation"), ("IS", "Instrumentation"), ("IP", "Isolation and Purification"),
    ("LJ", "Legislation and Jurisprudence"), ("ME", "Metabolism"), ("MT", "Methods"),
    ("MI", "Microbiology"), ("MO", "Mortality"), ("NU", "Nursing"),
    ("OG", "Organization and Administration"), ("PS", "Parasitology"),
    ("PY", "Pathogenicity"), ("PA", "Pathology"), ("PK", "Pharmacokinetics"),
    ("PD", "Pharmacology"), ("PH", "Physiology"), ("PP", "Physiopathology"),
    ("PO", "Poisoning"), ("PC", "Prevention and Control"), ("PX", "Psychology"),
    ("RE", "Radiation Effects"), ("RT", "Radiotherapy"), ("RH", "Rehabilitation"),
    ("SC", "Secondary"), ("ST", "Standards"), ("SN", "Statistics and Numerical Data"),
    ("SD", "Supply and Distribution"), ("SU", "Surgery"), ("TU", "Therapeutic Use"),
    ("TH", "Therapy"), ("TO", "Toxicity"), ("TM", "Transmission"), ("TR", "Transplantation"),
    ("TD", "Trends"), ("UL", "Ultrastructure"), ("UR", "Urine"), ("VE", "Veterinary"),
    ("VI", "Virology"),
)  # fmt: skip


def nlm_spelling(guide_name: str) -> str:
    """``"Administration and Dosage"`` → ``"administration & dosage"`` (MEDLINE XML's form)."""
    return " ".join("&" if w == "and" else w for w in guide_name.lower().split())


@cache
def guide_qualifiers() -> tuple[Qualifier, ...]:
    """The guide's table as qualifiers in NLM's spelling (no UIs, no tree numbers)."""
    return tuple(Qualifier(None, nlm_spelling(name), abbr) for abbr, name in GUIDE_SUBHEADINGS)
