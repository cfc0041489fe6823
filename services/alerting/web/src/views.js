// The live page's map and timeline. app.js owns the alerts and the filters: after each render
// it sends "frontwire:alerts" with the alerts each view should show; a click on a marker, a bar
// or a legend entry is sent back as "frontwire:pick", and app.js filters the list by it.
import { drawMap } from "./map.js";
import { humanise, typeColour, typesOf } from "./palette.js";
import { svgEl } from "./svg.js";
import { RANGES, drawTimeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const state = { latest: null, range: "24h", zoom: "world", widths: "" };

function pick(detail) {
  document.dispatchEvent(new CustomEvent("frontwire:pick", { detail }));
}

function draw(freshId) {
  const latest = state.latest;
  if (!latest) return;
  const mapWidth = $("map-canvas").clientWidth;
  const timelineWidth = $("timeline-canvas").clientWidth;
  state.widths = mapWidth + "x" + timelineWidth;
  const located = drawMap($("map"), latest.forMap, {
    width: mapWidth, zoom: state.zoom, pick: latest.pick.place, freshId, onPick: pick,
  });
  const total = latest.forMap.length;
  $("map-note").textContent = total === located
    ? `${located} located`
    : `${located} of ${total} located`;
  drawTimeline($("timeline"), latest.forTimeline, {
    width: timelineWidth, range: state.range, now: Date.now() / 1000, pick: latest.pick.span,
    onPick: pick,
  });
  drawLegend(typesOf([...latest.forMap, ...latest.forTimeline]), latest.type);
}

function drawLegend(types, selected) {
  const items = types.map((type) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "legend-item";
    button.dataset.type = type;
    button.setAttribute("aria-pressed", String(type === selected));
    button.title = type === selected ? "Show every type" : "Show only " + humanise(type).toLowerCase();
    const swatch = svgEl("svg", { width: 10, height: 10, "aria-hidden": "true" },
      svgEl("circle", { cx: 5, cy: 5, r: 5, fill: typeColour(type) }));
    button.append(swatch, document.createTextNode(humanise(type)));
    button.addEventListener("click", () => pick({ type: type === selected ? "" : type }));
    const li = document.createElement("li");
    li.append(button);
    return li;
  });
  $("legend").replaceChildren(...items);
}

function pressOne(groupId, value) {
  document.querySelectorAll(`#${groupId} button`).forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.value === value));
  });
}

function setRange(range) {
  state.range = range;
  pressOne("range", range);
  $("timeline").setAttribute("aria-label",
    `Alerts per ${range === "7d" ? "day" : "hour"} over the last ${RANGES[range].name}, by event type`);
  draw();
}

function setZoom(zoom) {
  state.zoom = zoom;
  pressOne("zoom", zoom);
  draw();
}

function init() {
  document.addEventListener("frontwire:alerts", (event) => {
    state.latest = event.detail;
    draw(event.detail.freshId);
  });
  document.querySelectorAll("#range button").forEach((b) => {
    b.addEventListener("click", () => setRange(b.dataset.value));
  });
  document.querySelectorAll("#zoom button").forEach((b) => {
    b.addEventListener("click", () => setZoom(b.dataset.value));
  });
  // Redraw in pixels for the new width (a rotated phone, a resized window), not on every change.
  new ResizeObserver(() => {
    const widths = $("map-canvas").clientWidth + "x" + $("timeline-canvas").clientWidth;
    if (widths !== state.widths) draw();
  }).observe($("views"));
  setInterval(() => draw(), 60000); // the timeline's last bucket follows the clock
  $("views").hidden = false;
  setRange(state.range);
  document.dispatchEvent(new Event("frontwire:views-ready"));
}

init();
