"""The sample files of the README's tour, written into a folder (``opgave examples``): the
shipped scenario and funding applications, and a later list of the SYNTHETIC demo plans read
from the database (:mod:`opgave.examples`)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from opgave import examples
from opgave.service import Service
from opgave.service.errors import ServiceError


@dataclass(frozen=True)
class Written:
    """What happened to one sample file: ``written``, ``unchanged`` (the same file was there)
    or ``skipped`` (with the reason)."""

    sample: examples.Sample
    path: Path
    outcome: str
    note: str = ""


def write_examples(svc: Service, folder: Path, *, force: bool = False) -> list[Written]:
    """Write the sample files into ``folder`` (created if missing). A different file of the
    same name is refused (nothing written) unless ``force``."""
    with tempfile.TemporaryDirectory(prefix="opgave-examples-") as tmp:
        made: list[tuple[examples.Sample, Path | None, str]] = []
        for sample in examples.SAMPLES:
            if sample.shipped is not None:
                made.append((sample, sample.shipped, ""))
                continue
            rows = _later_plans(svc)
            if not rows:
                made.append((sample, None, "no SYNTHETIC demo plans loaded: run `opgave demo`"))
                continue
            draft = Path(tmp) / sample.name
            from opgave.demo import write_plan_list  # numpy: only when writing

            write_plan_list(draft, rows)
            made.append((sample, draft, ""))
        clashes = [
            str(folder / s.name)
            for s, source, _ in made
            if source is not None
            and (folder / s.name).exists()
            and (folder / s.name).read_bytes() != source.read_bytes()
        ]
        if clashes and not force:
            raise ServiceError.refused(409, "samples_differ", names=", ".join(clashes))
        folder.mkdir(parents=True, exist_ok=True)
        done = []
        for sample, source, note in made:
            target = folder / sample.name
            if source is None:
                done.append(Written(sample, target, "skipped", note))
            elif target.exists() and target.read_bytes() == source.read_bytes():
                done.append(Written(sample, target, "unchanged"))
            else:
                shutil.copyfile(source, target)
                done.append(Written(sample, target, "written"))
        return done


def _later_plans(svc: Service) -> list[examples.PlanRow]:
    """The later list of the demo's plans (empty without synthetic demo plans there)."""
    state = svc.state()
    synthetic = [
        p
        for p in state.plans
        if p["gemeente_id"] in examples.LATER_GEMEENTEN and state.is_synthetic(p["source_id"])
    ]
    if not synthetic:
        return []
    ids = {p["id"] for p in synthetic}
    areas: dict[str, list[str]] = {}
    for link in state.plan_areas:
        if link["plan_id"] in ids:
            areas.setdefault(link["plan_id"], []).append(link["area_id"])
    needs: dict[str, list[str]] = {}
    for link in state.plan_preconditions:
        if link["plan_id"] in ids:
            needs.setdefault(link["plan_id"], []).append(link["precondition_id"])
    return examples.later_plan_list(synthetic, areas, needs)
