"""The Python API: the same figures as the CLI, as (Geo)DataFrames, with lazy top-level names."""

from __future__ import annotations

import subprocess
import sys

import pytest

import rangemap
from rangemap import coverage as cov


def test_public_names_are_exported_and_sorted() -> None:
    assert rangemap.__all__ == sorted(rangemap.__all__)
    for name in rangemap.__all__:
        assert getattr(rangemap, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = rangemap.nope


def test_no_submodule_shadows_a_public_name() -> None:
    """Regression: importing a submodule sets it as an attribute of the package, which hides
    a lazy export of the same name (a module `rangemap.area_range` made `rangemap.area_range`
    a module instead of the function once anything had imported it)."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(rangemap.__path__, "rangemap."):
        if module.name != "rangemap.__main__":  # that one runs the command line
            importlib.import_module(module.name)
    for name in rangemap.__all__:
        value = getattr(rangemap, name)
        assert not isinstance(value, type(rangemap)), f"rangemap.{name} is a module"


def test_import_is_light() -> None:
    """`import rangemap` loads no numpy, pandas or folium: --help and scripts start instantly."""
    code = (
        "import sys, rangemap; "
        "print(sorted(m for m in ('numpy', 'pandas', 'folium') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_countries_covered_matches_the_rows() -> None:
    frame = rangemap.countries_covered("kaliningrad", 480)
    assert list(frame.columns) == list(cov.CountryRow._fields)
    assert frame.set_index("iso_a3").loc["LTU", "covered_pct"] == 100.0
    rows = cov.country_rows(rangemap.make_ring("kaliningrad", 480))
    assert frame["covered_km2"].tolist() == [r.covered_km2 for r in rows]


def test_places_covered_is_a_point_geodataframe() -> None:
    frame = rangemap.places_covered("kaliningrad", 480, capitals_only=True)
    assert frame.crs.to_epsg() == 4326
    assert set(frame.city) == {"Warsaw", "Vilnius", "Riga", "Minsk"}
    assert (frame.geometry.x == frame.lon).all()


def test_rings_to_frame_keeps_geometry_and_attributes() -> None:
    ring = rangemap.make_ring("-17.7,178", 2500)
    frame = rangemap.rings_to_frame([ring])
    assert frame.crs.to_epsg() == 4326
    assert frame.loc[0, "range_km"] == 2500
    assert rangemap.area_km2(frame.geometry.iloc[0]) == pytest.approx(ring.area_km2)


def test_compare_ranges_accepts_names_and_locations() -> None:
    site = rangemap.resolve_site("kaliningrad")
    by_name = rangemap.compare_ranges("kaliningrad", 480, 2350)
    assert rangemap.compare_ranges(site, 480, 2350) == by_name
    assert "Berlin" in {c.city for c in by_name.new_capitals}


def test_the_package_has_one_version() -> None:
    """pyproject.toml reads the version from rangemap/__init__.py: the installed package's
    metadata and the version printed in maps and files are the same text."""
    from importlib.metadata import version

    assert version("rangemap") == rangemap.__version__
