// How an event looks on the map and the timeline: its colour (by type) and marker size (by
// quantity). Pure functions, shared by both views so a type has one colour everywhere.

// Fixed colours for the types the enricher reads, so a type keeps its colour across sessions
// and filters; any other type takes a spare colour chosen by a stable hash of its name.
const KNOWN = {
  troop_deployment: "#d1495b",
  mobilisation: "#e69b00",
  arms_transfer: "#00798c",
  casualties: "#6a4c93",
  attack: "#9e2a2b",
  military_support: "#2e9e4f",
  diplomatic_contact: "#3a6ea5",
};
const SPARE = ["#8d6e63", "#d45b9a", "#5c7080", "#8e44ad", "#7cb342", "#b8860b"];

export function typeColour(type) {
  if (Object.prototype.hasOwnProperty.call(KNOWN, type)) return KNOWN[type];
  let hash = 0;
  for (const ch of String(type)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return SPARE[hash % SPARE.length];
}

// Marker area grows with the quantity (a sqrt scale on the radius), up to a cap so that
// "12 million shells" does not cover a continent; events without a quantity get the minimum.
export const RADIUS_MIN = 4;
export const RADIUS_MAX = 20;
const QUANTITY_CAP = 100000;

export function markerRadius(quantity) {
  const q = quantity && Number.isFinite(quantity.max) ? Math.max(0, quantity.max) : 0;
  return RADIUS_MIN + (RADIUS_MAX - RADIUS_MIN) * Math.sqrt(Math.min(q, QUANTITY_CAP) / QUANTITY_CAP);
}

export function humanise(slug) {
  const text = String(slug || "").replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Types in a stable order (the legend, the stacking of the timeline's bars).
export function typesOf(entries) {
  return Array.from(new Set(entries.map((e) => e.event.type))).sort();
}
