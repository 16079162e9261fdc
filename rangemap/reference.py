"""The field reference of scene and catalog files (docs/reference.md), wherever it is: shipped
inside the wheel as rangemap/_docs/reference.md, or in a source checkout at docs/reference.md."""

from __future__ import annotations

from pathlib import Path

from rangemap.errors import LayerFileError

REFERENCE = "reference.md"


def reference_path() -> Path:
    """The reference file: the wheel's copy (pyproject force-include) first, as layers_dir
    does for the catalog, else the checkout's docs/ folder."""
    here = Path(__file__).resolve().parent
    for path in (here / "_docs" / REFERENCE, here.parent / "docs" / REFERENCE):
        if path.is_file():
            return path
    raise LayerFileError(
        f"the field reference ({REFERENCE}) is missing from the installation: reinstall "
        "rangemap (pip install --force-reinstall from the clone or the wheel)."
    )


def reference_text() -> str:
    """Every field of scene and catalog files, as Markdown."""
    return reference_path().read_text(encoding="utf-8")
