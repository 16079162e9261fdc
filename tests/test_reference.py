"""docs/reference.md documents every field of scene and catalog files, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from rangemap import catalog, scene

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference.md"
TEXT = REFERENCE.read_text(encoding="utf-8")
README = (REFERENCE.parents[1] / "README.md").read_text(encoding="utf-8")

#: Every model a scene or catalog file is read with.
MODELS: list[type[BaseModel]] = [
    scene.Scene,
    scene.SceneSite,
    scene.SceneRange,
    scene.SceneStyle,
    scene.SceneStep,
    scene.SceneNames,
    catalog.CatalogFile,
    catalog.System,
    catalog.Claim,
    catalog.Status,
    catalog.Site,
    catalog.AreaSite,
    catalog.Hosting,
    catalog.Source,
    catalog.Treaty,
    catalog.Band,
    catalog.Event,
]


def _documented(model: str) -> list[str]:
    """The field names of the table that follows `<!-- fields of MODEL -->`."""
    marker = f"<!-- fields of {model} -->\n"
    assert TEXT.count(marker) == 1, f"docs/reference.md has no single table for {model}"
    table = TEXT.split(marker, 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", table, flags=re.M)


def _file_keys(model: type[BaseModel]) -> list[str]:
    """The keys a file writes for the model's fields: a field's alias where it has one."""
    return [field.alias or name for name, field in model.model_fields.items()]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_documented_once_in_order(model):
    assert _documented(model.__name__) == _file_keys(model)


def test_every_model_nested_in_a_file_is_documented():
    """A new model inside a scene or catalog file must get its table too."""

    def nested(model: type[BaseModel], seen: set) -> None:
        if model in seen:
            return
        seen.add(model)
        for field in model.model_fields.values():
            for inner in re.findall(r"\b([A-Z]\w+)\b", repr(field.annotation)):
                found = getattr(scene, inner, None) or getattr(catalog, inner, None)
                if isinstance(found, type) and issubclass(found, BaseModel):
                    nested(found, seen)

    seen: set = set()
    nested(scene.Scene, seen)
    nested(catalog.Catalog, seen)
    assert seen - {catalog.Catalog} == set(MODELS)


def test_readme_links_the_reference():
    assert "(docs/reference.md)" in README
