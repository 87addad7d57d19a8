"""Loading SLO files: OpenSLO v1 (canonical) and Sloth ``prometheus/v1`` (imported), checked together.

Every problem of every file is collected and raised at once as one ``InputError``; references
(indicators, data sources, alert policies) resolve across all the files given.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from harness.errors import InputError, Problem
from harness.slo.latency import boundary_problem, known_boundaries
from harness.slo.openslo import parse_slo
from harness.slo.openslo_index import OpenSLOIndex
from harness.slo.openslo_schema import check_document
from harness.slo.sloth import parse_sloth
from harness.slo.sloth_conventions import sloth_id
from harness.values.slo import SLO
from harness.yamlfile import YamlDocument, load_yaml_documents

__all__ = ["load_slo_files", "slo_notes"]

FORMATS = "OpenSLO v1 (apiVersion: openslo/v1) or Sloth (version: prometheus/v1)"


def load_slo_files(paths: Iterable[Path]) -> tuple[SLO, ...]:
    """Every SLO in ``paths``, in file order; raises ``InputError`` listing all problems."""
    problems: list[Problem] = []
    structure: list[Problem] = []  # OpenSLO v1's rules, broken (openslo_schema.py)
    index = OpenSLOIndex()
    ordered: list[tuple[str, YamlDocument]] = []  # ("openslo" | "sloth", document)
    for path in paths:
        try:
            documents = load_yaml_documents(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if not documents:
            problems.append(
                Problem(str(path), "(file)", f"holds no YAML document; allowed: {FORMATS}")
            )
        # A document that is a list holds one object per item (the OpenSLO Go SDK's layout);
        # an empty one is kept whole, to be reported: it cannot have meant nothing.
        for document in (item for whole in documents for item in whole.items() or [whole]):
            if document.data == []:
                problems.append(
                    Problem(
                        document.source,
                        f"{document.within}(document)",
                        f"is an empty list; allowed: a list of objects, {FORMATS}",
                        document.line(),
                    )
                )
            elif not isinstance(document.data, dict):
                problems.append(
                    Problem(
                        document.source,
                        f"{document.within}(document)",
                        f"is not a mapping; allowed: {FORMATS}",
                        document.line(),
                    )
                )
            elif "version" in document.data and "apiVersion" not in document.data:
                ordered.append(("sloth", document))
            else:
                kind = index.add(document)
                if kind is not None:  # every document, whether or not an SLO uses it
                    structure.extend(check_document(document, kind))
                ordered.append(("openslo", document))
    index.check_references()
    problems.extend(index.problems)
    problems.extend(structure)
    # A field the spec's rules already reported is not reported again by the SLO reader.
    reported = {(problem.source, problem.field) for problem in structure}

    slos: list[SLO] = []
    for kind, document in ordered:
        if kind == "sloth":
            found, sloth_problems = parse_sloth(document)
            slos.extend(found)
            problems.extend(sloth_problems)
        elif (
            isinstance(document.data, dict)  # (an openslo document is: checked above)
            and document.data.get("kind") == "SLO"
            and _filed(index, document)
        ):
            slo, slo_problems = parse_slo(document, index)
            problems.extend(p for p in slo_problems if (p.source, p.field) not in reported)
            if slo is not None:
                slos.append(slo)
    problems.extend(_duplicates_and_thresholds(slos))
    if problems:
        raise InputError(problems)
    return tuple(slos)


def slo_notes(slos: Iterable[SLO], policy: str) -> list[str]:
    """One line per thing loadgate does other than the file says, for the commands to print
    where the files are read (not only in results): each query it rewrote to read the window,
    and each OpenSLO alert policy of an SLO, which it does not translate — ``policy`` (the
    burn-rate policy's name, as the command knows it) generates the SLO's alerts instead."""
    notes: list[str] = []
    for slo in slos:
        where = f"note: {slo.source}{f':{slo.line}' if slo.line else ''}: slo {slo.name!r} → "
        notes.extend(where + note for note in slo.rewritten)
        notes.extend(
            f"{where}alert policy {name!r} is not used: loadgate does not translate OpenSLO "
            f"alert conditions (threshold, lookbackWindow, severity) or notification targets; "
            f"loadgate's burn-rate policy {policy} generates this SLO's alerts"
            for name in slo.alert_policies
        )
    return notes


def _filed(index: OpenSLOIndex, document: YamlDocument) -> bool:
    """Whether the index accepted this document (a bad envelope was already reported)."""
    return any(filed is document for filed in index.named["SLO"].values())


def _duplicates_and_thresholds(slos: list[SLO]) -> list[Problem]:
    problems = []
    seen: dict[str, SLO] = {}
    ids: dict[str, SLO] = {}
    for slo in slos:
        # In one file too: two Sloth SLOs of one name in one spec would write two rule groups
        # of one name, which Prometheus refuses. (The OpenSLO index reports its own duplicates
        # and files the first only, so a second one never reaches this list.)
        first = seen.setdefault(slo.name, slo)
        if first is not slo:
            where = f"{first.source}{f':{first.line}' if first.line else ''}"
            problems.append(
                Problem(
                    slo.source,
                    f"slo {slo.name!r}",
                    f"{slo.name!r} is already the name of an SLO defined at {where}; allowed: "
                    "a name no other SLO has, in this file or another",
                    slo.line,
                )
            )
        # The rules identify an SLO by <service>-<name> (Sloth's sloth_id): two SLOs with one id
        # would write one series twice, and groups Prometheus refuses.
        same = ids.setdefault(sloth_id(slo), slo)
        if same is not slo and same.name != slo.name:
            problems.append(
                Problem(
                    slo.source,
                    f"slo {slo.name!r}",
                    f"has the rules' id {sloth_id(slo)!r} (<service>-<name>) of slo "
                    f"{same.name!r} in {same.source}; allowed: SLOs whose service and name "
                    "differ in another way",
                    slo.line,
                )
            )
        boundaries = known_boundaries(slo.latency.metric) if slo.latency else None
        if slo.latency and boundaries is not None:
            wrong = boundary_problem(slo.latency, boundaries)
            if wrong:
                problems.append(
                    Problem(slo.source, f"slo {slo.name!r} → latency threshold", wrong, slo.line)
                )
    return problems
