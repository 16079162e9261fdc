"""Country and city layers: fast loading of the prebuilt arrays in layers/data/."""

from __future__ import annotations

import functools
import unicodedata
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely import GeometryType

from rangemap.errors import LayerFileError, suggest

if TYPE_CHECKING:  # geopandas is imported inside to_frame() only, for cold-start speed
    import geopandas

__all__ = [
    "CityLayer",
    "CountryLayer",
    "cities",
    "countries",
    "fold_name",
    "layers_dir",
]

#: Bumped whenever build_layers.py changes the array layout; the loader refuses other versions.
FORMAT_VERSION = 2
COUNTRIES_FILE = "countries.npz"
CITIES_FILE = "cities.npz"
REBUILD_COMMAND = "python layers/build_layers.py"
_COUNTRY_STRINGS = ("adm0_a3", "iso_a3", "iso_a2", "name", "name_long", "name_en", "status",
                    "sovereign", "continent")  # fmt: skip
_CITY_STRINGS = ("name", "key", "search_keys", "country_iso2", "country_iso3", "status",
                 "feature_code")  # fmt: skip

# Latin letters that Unicode NFKD does not decompose into a base letter plus a mark, and
# apostrophe-like marks of transliterations ("Sokol\u2019niki"), which nobody types: dropped.
# Written as escapes because several of them look like ASCII letters or quotes.
_LATIN_EXTRAS = str.maketrans(
    {
        "\u0142": "l", "\u0141": "L", "\u00f8": "o", "\u00d8": "O", "\u0111": "d", "\u0110": "D",
        "\u0127": "h", "\u0126": "H", "\u0131": "i", "\u0140": "l", "\u013f": "L", "\u0167": "t",
        "\u0166": "T", "\u00e6": "ae", "\u00c6": "AE", "\u0153": "oe", "\u0152": "OE",
        "\u00df": "ss", "\u00fe": "th", "\u00de": "TH", "\u00f0": "d", "\u00d0": "D",
        "\u0138": "k", "\u014b": "n", "\u014a": "N", "\u017f": "s",
        "\u2019": None, "\u2018": None, "'": None, "\u02bc": None, "\u02b9": None,
        "\u02bb": None, "`": None, "\u00b4": None,
    }
)  # fmt: skip


def fold_name(text: str) -> str:
    """Fold a place name to its search key: no accents, casefolded, single spaces.

    The same function builds the keys stored in the city layer and folds the user's query,
    so "Mokotów", "MOKOTOW" and "mokotow" all meet at "mokotow". Non-Latin letters are kept.

    >>> fold_name("Kraków")
    'krakow'
    >>> fold_name("Sokol\u2019niki")
    'sokolniki'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN_EXTRAS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.translate(_LATIN_EXTRAS).casefold().split())


def layers_dir() -> Path:
    """Return the folder that holds the layer data.

    An installed wheel ships the repository's layers/ folder as ``rangemap/_layers``
    (pyproject force-include), so that one is tried first; in a source checkout the
    folder is ``<repo>/layers``.
    """
    packaged = Path(__file__).resolve().parent / "_layers"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "layers"


@dataclass(frozen=True, eq=False)
class CountryLayer:
    """Natural Earth 1:10m admin-0 countries (v5.1.1, German point of view), one row each.

    Every array has one entry per country, in the same row order (sorted by ``adm0_a3``),
    except the ``tile_*`` arrays, which have one entry per tile. Coordinates are
    (longitude, latitude) in degrees on WGS84; areas are geodesic areas on the WGS84
    ellipsoid.

    Attributes
    ----------
    adm0_a3 : str array
        Natural Earth ADM0_A3 code, the unique key (FRA, NOR, KOS; NE's ISO_A3 is "-99" there).
    iso_a3, iso_a2 : str arrays
        ISO 3166-1 codes where one exists (NE's ISO_A3_EH / ISO_A2_EH); else iso_a3 is the
        ADM0_A3 code (KOS, WSB: seven units) and iso_a2 is "-99".
    name, name_long : str arrays
        Natural Earth's short map labels ("Bosnia and Herz.", "S. Sudan").
    name_en : str array
        Full English name, the one readers see ("Bosnia and Herzegovina", "South Sudan").
    status : str array
        "state" for the 193 UN members and the 2 observer states (Holy See, Palestine),
        "territory" for a unit that Natural Earth gives a UN state as sovereign
        (dependencies: Greenland, Jersey, Akrotiri), "other" for a unit that no UN state
        holds: not UN members that many states recognise (Kosovo, Taiwan), disputed land
        (Western Sahara, Scarborough Shoal), unclaimed land (Bir Tawil), Antarctica.
        See layers/README.md, "Sovereign states and territories".
    sovereign : str array
        ``name_en`` of the state itself, or for a territory of the UN state Natural Earth
        gives as its sovereign (Akrotiri: "United Kingdom"); "" when there is none (Kosovo).
    continent : str array
        Natural Earth continent ("Europe", "Seven seas (open ocean)" ...).
    pop_est : int64 array
        Natural Earth population estimate, persons.
    area_km2 : float64 array
        Area of ``geometry`` on the WGS84 ellipsoid, km2: the region as shapely draws it
        (edges straight in lon/lat), measured with pyproj.Geod after splitting edges to at
        most 0.25 degrees; it differs from a geodesic-edged reading by < 0.002 %.
    geometry : shapely MultiPolygon array
        Full-resolution outline (made valid, exterior rings counter-clockwise): for analysis.
    display : shapely MultiPolygon array
        Simplified outline (Douglas-Peucker 0.1 degrees, 1e-4 degree grid, islands below
        100 km2 dropped; the world is ~560 KB of GeoJSON): for maps only, never for areas
        or coverage. Neighbours were simplified apart, so their borders may not meet exactly.
    tile_geometry : shapely Polygon array
        ``geometry`` cut into pieces of at most 256 vertices and 5 x 5 degrees, like
        PostGIS ST_Subdivide, so that intersecting a range area only cuts small pieces.
        The cut edges are split to at most 0.25 degrees: measured with pyproj.Geod, a long
        straight cut would bulge as a geodesic (~3 km over 5 degrees at 53 N), so a piece cut
        from a tile measures the same whichever way it is split.
    tile_owner : int64 array
        Row (country) that each tile belongs to.
    tile_area_km2 : float64 array
        Geodesic area of each tile, km2; a country's tiles sum to its ``area_km2``.
    """

    adm0_a3: np.ndarray
    iso_a3: np.ndarray
    iso_a2: np.ndarray
    name: np.ndarray
    name_long: np.ndarray
    name_en: np.ndarray
    status: np.ndarray
    sovereign: np.ndarray
    continent: np.ndarray
    pop_est: np.ndarray
    area_km2: np.ndarray
    geometry: np.ndarray
    display: np.ndarray
    tile_geometry: np.ndarray
    tile_owner: np.ndarray
    tile_area_km2: np.ndarray

    def __len__(self) -> int:
        return len(self.adm0_a3)

    def map_name(self, i: int) -> str:
        """The name to write on a map: Natural Earth's short label ("China", "United States")
        unless it abbreviates ("Bosnia and Herz.", "W. Sahara"), then the full English name."""
        short = str(self.name[i])
        return short if "." not in short else str(self.name_en[i])

    def country_index(self, key: str) -> int:
        """Return the row of the country whose ADM0_A3 code is `key` (e.g. "ROU").

        Raises UnknownNameError, with suggestions, for a code that no country has.
        """
        rows = np.flatnonzero(self.adm0_a3 == key)
        if len(rows) != 1:
            raise suggest(key, self.adm0_a3.tolist(), kind="country code")
        return int(rows[0])

    def to_frame(self) -> geopandas.GeoDataFrame:
        """Return one row per country as a GeoDataFrame (EPSG:4326).

        ``geometry`` is the active geometry column; ``display`` is a second geometry column.
        """
        import geopandas  # deferred: pandas/geopandas cost ~0.5 s to import

        columns = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if not f.name.startswith("tile_") and f.name not in ("geometry", "display")
        }
        frame = geopandas.GeoDataFrame(columns, geometry=self.geometry, crs="EPSG:4326")
        frame["display"] = geopandas.GeoSeries(self.display, crs="EPSG:4326")
        return frame


@dataclass(frozen=True, eq=False)
class CityLayer:
    """GeoNames populated places of 15,000+ inhabitants, without city districts.

    One entry per place in every array, most populous first. Districts (PPLX, such as
    Kreuzberg or Mokotów) were dropped at build time so that populations can be summed
    without counting a district on top of its city; see layers/README.md for the rule.

    Attributes
    ----------
    geonameid : int64 array
        GeoNames id, unique.
    name : str array
        GeoNames name, in the local Latin spelling where there is one ("Warsaw", "Kyiv").
    key : str array
        ``fold_name(name)``: ASCII-ish casefolded name ("krakow").
    search_keys : str array
        ``"|key|alternate|...|"``: folded name plus the Latin-script alternate names
        ("|kyiv|kiev|kijow|...|"), for exact-key lookup with ``find``.
    country_iso2, country_iso3 : str arrays
        ISO 3166-1 country codes as GeoNames has them (Kosovo: XK / XKX).
    population : int64 array
        GeoNames population, persons (the figure of the place itself, no districts added).
    lat, lon : float64 arrays
        Position, degrees on WGS84.
    status : str array
        "state" when the place's GeoNames country is a UN member or observer state, "other"
        when it is an "other" unit of the country layer (Kosovo XK, Taiwan TW, Western Sahara
        EH), else "territory" (Åland AX, Isle of Man IM, Svalbard SJ ...).
    capital : bool array
        National capital of a UN member or observer state (GeoNames feature code PPLC).
    territory_capital : bool array
        Capital of a territory or other area (PPLC of a GeoNames country that is no UN
        state: Mariehamn, Douglas, Nuuk; Pristina, Taipei), counted apart from the national
        capitals; `status` tells which.
    feature_code : str array
        GeoNames feature code from the 2019 snapshot (PPL, PPLA, PPLC ...); "" for places
        added to GeoNames since.
    """

    geonameid: np.ndarray
    name: np.ndarray
    key: np.ndarray
    search_keys: np.ndarray
    country_iso2: np.ndarray
    country_iso3: np.ndarray
    population: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    status: np.ndarray
    capital: np.ndarray
    territory_capital: np.ndarray
    feature_code: np.ndarray

    def __len__(self) -> int:
        return len(self.geonameid)

    @functools.cached_property
    def geometry(self) -> np.ndarray:
        """``Point(lon, lat)`` of each place, built on first use (12 ms: half the load time).

        For point-in-polygon tests, ``shapely.contains_xy(polygon, layer.lon, layer.lat)``
        needs no Point objects at all.
        """
        return shapely.points(self.lon, self.lat)

    def find(self, name: str) -> np.ndarray:
        """Return the rows whose name or an alternate name folds to `name`.

        Places named `name` come first, then those that have it as an alternate name, each
        group most populous first.

        >>> layer = cities()
        >>> [str(layer.name[i]) for i in layer.find("Kiev")]
        ['Kyiv']
        """
        key = fold_name(name)
        if not key or "|" in key:
            return np.zeros(0, dtype=np.int64)
        needle = f"|{key}|"
        # A plain scan (~3 ms for 30,000 places) beats np.strings.find and needs no index.
        rows = np.array(
            [i for i, keys in enumerate(self.search_keys) if needle in keys], dtype=np.int64
        )
        # Places whose own name matches come first ("New Delhi" before Delhi, which has
        # "New Delhi" among its alternate names); rows are already most populous first.
        return rows[np.argsort(self.key[rows] != key, kind="stable")]

    def to_frame(self) -> geopandas.GeoDataFrame:
        """Return one row per place as a GeoDataFrame of points (EPSG:4326)."""
        import geopandas  # deferred: pandas/geopandas cost ~0.5 s to import

        columns = {f.name: getattr(self, f.name) for f in fields(self)}
        return geopandas.GeoDataFrame(columns, geometry=self.geometry, crs="EPSG:4326")


@functools.cache
def countries() -> CountryLayer:
    """Return the country layer, loaded once per process from ``layers_dir()/data``."""
    return _load_countries(layers_dir() / "data" / COUNTRIES_FILE)


@functools.cache
def cities() -> CityLayer:
    """Return the city layer, loaded once per process from ``layers_dir()/data``."""
    return _load_cities(layers_dir() / "data" / CITIES_FILE)


def _load_countries(path: Path) -> CountryLayer:
    """Read a countries.npz written by layers/build_layers.py (path injectable for tests)."""
    arrays = _read_arrays(path)
    try:
        layer = CountryLayer(
            **{k: _strings(arrays[k]) for k in _COUNTRY_STRINGS},
            pop_est=arrays["pop_est"],
            area_km2=arrays["area_km2"],
            geometry=_geometries(arrays, "geometry", GeometryType.MULTIPOLYGON),
            display=_geometries(arrays, "display", GeometryType.MULTIPOLYGON),
            tile_geometry=_geometries(arrays, "tile", GeometryType.POLYGON),
            tile_owner=arrays["tile_owner"],
            tile_area_km2=arrays["tile_area_km2"],
        )
    except (KeyError, ValueError, TypeError, IndexError, shapely.errors.GEOSException) as exc:
        raise _corrupt(path, exc) from exc
    _check_lengths(path, layer, "tile_")
    return layer


def _load_cities(path: Path) -> CityLayer:
    """Read a cities.npz written by layers/build_layers.py (path injectable for tests)."""
    arrays = _read_arrays(path)
    try:
        layer = CityLayer(
            **{k: _strings(arrays[k]) for k in _CITY_STRINGS},
            geonameid=arrays["geonameid"],
            population=arrays["population"],
            lat=arrays["lat"],
            lon=arrays["lon"],
            capital=arrays["capital"],
            territory_capital=arrays["territory_capital"],
        )
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise _corrupt(path, exc) from exc
    _check_lengths(path, layer, None)
    return layer


def _check_lengths(path: Path, layer: CountryLayer | CityLayer, skip_prefix: str | None) -> None:
    """All per-row arrays must have one entry per row (a truncated build would break that)."""
    names = [f.name for f in fields(layer) if not (skip_prefix and f.name.startswith(skip_prefix))]
    lengths = {name: len(getattr(layer, name)) for name in names}
    if len(set(lengths.values())) != 1:
        raise _corrupt(path, ValueError(f"arrays differ in length: {lengths}"))
    if isinstance(layer, CountryLayer):
        tiles = {len(layer.tile_geometry), len(layer.tile_owner), len(layer.tile_area_km2)}
        owners_ok = len(layer.tile_owner) == 0 or (
            layer.tile_owner.min() >= 0 and layer.tile_owner.max() < len(layer)
        )
        if len(tiles) != 1 or not owners_ok:
            raise _corrupt(path, ValueError("tile arrays differ in length or point past the rows"))


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Read every array of an .npz layer file, turning each way it can fail into LayerFileError."""
    path = Path(path)
    if not path.is_file():
        raise LayerFileError(
            f"layer file {str(path)!r} is missing; rebuild it with `{REBUILD_COMMAND}`"
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise _corrupt(path, exc) from exc
    version = arrays.get("format_version")
    found = None if version is None else version.tolist()
    if found != FORMAT_VERSION or isinstance(found, bool):
        raise _corrupt(path, ValueError(f"format_version {found!r}, expected {FORMAT_VERSION}"))
    return arrays


def _corrupt(path: Path, exc: BaseException) -> LayerFileError:
    return LayerFileError(
        f"layer file {str(path)!r} is unreadable or corrupt ({exc}); "
        f"rebuild it with `{REBUILD_COMMAND}`"
    )


def _strings(blob: np.ndarray) -> np.ndarray:
    """Decode a uint8 array of NUL-separated UTF-8 strings into an object array of str.

    Compact on disk and loads without pickle; object arrays build ~5x faster than numpy's
    StringDType and pandas takes them as they are.
    """
    if blob.dtype != np.uint8 or blob.ndim != 1:
        raise ValueError(f"string blob has dtype {blob.dtype} and {blob.ndim} dimensions")
    items = blob.tobytes().decode("utf-8").split("\0")
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _geometries(arrays: dict[str, np.ndarray], prefix: str, kind: GeometryType) -> np.ndarray:
    """Rebuild shapely geometries from a GeoArrow-style ragged array (coords + offsets)."""
    depth = {GeometryType.POLYGON: 2, GeometryType.MULTIPOLYGON: 3}[kind]
    offsets = tuple(arrays[f"{prefix}_offsets{i}"] for i in range(depth))
    return shapely.from_ragged_array(kind, arrays[f"{prefix}_coords"], offsets)
