// The world map: Natural Earth countries (world-atlas, bundled at build time) in a Natural
// Earth projection, one marker per event with coordinates, sized by quantity and coloured by
// type. Drawn in pixels for the width it is given, so markers stay legible on a phone.
import { geoGraticule10, geoNaturalEarth1, geoPath } from "d3-geo";
import { feature, mesh } from "topojson-client";
import world from "world-atlas/countries-110m.json";
import { humanise, markerRadius, typeColour } from "./palette.js";
import { pressable, svgEl, titled } from "./svg.js";

// Antarctica is left out: no events there, and it would take a fifth of the map's height.
const ANTARCTICA = "010";
const countries = feature(world, world.objects.countries);
const land = {
  type: "FeatureCollection",
  features: countries.features.filter((f) => f.id !== ANTARCTICA),
};
const borders = mesh(world, world.objects.countries, (a, b) => a !== b);
const PAD = 6;

export function location(entry) {
  const loc = entry.event.location;
  return loc && Number.isFinite(loc.lat) && Number.isFinite(loc.lon) ? loc : null;
}

export function placeLabel(loc) {
  return loc.name + (loc.country ? ", " + loc.country : "");
}

// The whole world (but Antarctica), its height following from the width.
function worldView(width) {
  const projection = geoNaturalEarth1().fitWidth(width - 2 * PAD, land);
  const [tx, ty] = projection.translate();
  projection.translate([tx + PAD, ty + PAD]);
  return { projection, height: Math.ceil(geoPath(projection).bounds(land)[1][1] + PAD) };
}

// Zoomed to the markers, with a margin, and never to less than a region (40° by 24°) so that
// one marker still shows its neighbours. Fit to the corners as points: a polygon's winding
// would matter on the sphere, points' does not.
function eventsView(width, markers) {
  const height = Math.round(width * (width < 600 ? 0.62 : 0.42));
  const span = (values, margin, least) => {
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const half = Math.max((hi - lo) / 2 + margin, least / 2);
    return [(lo + hi) / 2 - half, (lo + hi) / 2 + half];
  };
  const [west, east] = span(markers.map((m) => m.loc.lon), 8, 40);
  const [south, north] = span(markers.map((m) => m.loc.lat), 5, 24).map((v) => Math.max(-85, Math.min(85, v)));
  const corners = { type: "MultiPoint", coordinates: [[west, south], [east, north], [west, north], [east, south]] };
  const projection = geoNaturalEarth1().fitExtent([[PAD, PAD], [width - PAD, height - PAD]], corners);
  return { projection, height };
}

// options: width, zoom ("world" or "events"), pick (the place picked, or null), freshId (an
// alert just arrived), onPick. Returns how many markers were drawn.
export function drawMap(svg, entries, options) {
  const width = Math.max(200, Math.floor(options.width));
  const markers = entries
    .filter(location)
    .map((entry) => ({ entry, loc: location(entry), r: markerRadius(entry.event.quantity) }))
    .sort((a, b) => b.r - a.r); // large first, so smaller markers stay on top and clickable
  const { projection, height } = options.zoom === "events" && markers.length
    ? eventsView(width, markers)
    : worldView(width);
  const base = baseLayers(projection);

  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.replaceChildren(
    svgEl("rect", { class: "ocean", width, height, rx: 8 }),
    svgEl("path", { class: "graticule", d: base.graticule }),
    svgEl("path", { class: "land", d: base.land }),
    svgEl("path", { class: "borders", d: base.borders }),
    svgEl("g", { class: "markers" }, ...markers.map((m) => marker(m, projection, options))),
  );
  return markers.length;
}

// The countries' outlines take most of a redraw; they change only with the projection (the
// width, or the markers' extent when fitted), not with each alert.
let cachedBase = { key: "", land: "", borders: "", graticule: "" };
function baseLayers(projection) {
  const key = [projection.scale(), ...projection.translate(), ...projection.center()].join();
  if (key !== cachedBase.key) {
    const path = geoPath(projection);
    cachedBase = { key, land: path(land), borders: path(borders), graticule: path(geoGraticule10()) };
  }
  return cachedBase;
}

function marker({ entry, loc, r }, projection, options) {
  const [x, y] = projection([loc.lon, loc.lat]);
  const type = entry.event.type;
  const picked = options.pick && samePlace(loc, options.pick);
  const label = `${humanise(type)} at ${placeLabel(loc)}: ${entry.summary}`;
  const dot = svgEl("circle", {
    class: "marker" + (picked ? " picked" : "") + (options.pick && !picked ? " dim" : ""),
    cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1), fill: typeColour(type),
    "data-alert-id": entry.alert_id, "data-type": type,
  });
  pressable(dot, label, () => options.onPick({ place: { name: loc.name, country: loc.country || null }, type }));
  titled(dot, label);
  if (entry.alert_id !== options.freshId) return dot;
  // A ring that grows and fades once: an alert that just arrived over the stream.
  const ring = svgEl("circle", {
    class: "ring", cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1), stroke: typeColour(type),
    "aria-hidden": "true",
  });
  return svgEl("g", { class: "fresh" }, ring, dot);
}

function samePlace(loc, place) {
  return loc.name === place.name && (loc.country || null) === (place.country || null);
}
