"""Reading the state: the outline read through reflected tables gives the model's rows."""

from __future__ import annotations

from opgave import store
from opgave.model import Area, AreaCodeChange, AreaMember, Meeting, Source, Target
from opgave.service import Service
from opgave.service.loading import OUTLINE_TABLES, load_outline, reflected, rows, table_rows

MODELS = {
    "area": Area,
    "area_member": AreaMember,
    "area_code_change": AreaCodeChange,
    "target": Target,
    "source": Source,
    "meeting": Meeting,
}


def test_reflected_rows_equal_the_models_rows(loaded_url: str) -> None:
    """Same values and Python types (dates, booleans, JSON lists, floats) on both backends."""
    assert set(MODELS) == set(OUTLINE_TABLES)
    engine = store.connect(loaded_url)
    with engine.connect() as connection:
        tables = reflected(connection, OUTLINE_TABLES)
        for name, model in MODELS.items():
            by_model = rows(connection, model)
            by_reflection = table_rows(connection, tables[name])
            assert by_model, name
            assert by_reflection == by_model, name
            assert [{k: type(v) for k, v in r.items()} for r in by_reflection] == [
                {k: type(v) for k, v in r.items()} for r in by_model
            ], name
    engine.dispose()


def test_the_outline_is_the_states_outline(loaded_url: str) -> None:
    svc = Service(loaded_url)
    full = svc.state()
    with svc.engine.connect() as connection:
        outline = load_outline(connection)
    assert outline.targets == full.targets and outline.meetings == full.meetings
    assert outline.areas == full.areas and outline.members == full.members
    assert outline.complete == full.complete and outline.children == full.children
    assert outline.plans == [] and outline.realisations == []
    assert svc.outline() is full  # a full state at hand serves the listings
    svc.engine.dispose()
