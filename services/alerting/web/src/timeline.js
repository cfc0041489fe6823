// The timeline: alerts per hour over the last 24 hours, or per day over the last 7 days,
// stacked by event type. Buckets are whole UTC hours/days (readers span time zones).
import { humanise, typeColour, typesOf } from "./palette.js";
import { pressable, svgEl, titled } from "./svg.js";

export const RANGES = {
  "24h": { step: 3600, count: 24, name: "24 hours" },
  "7d": { step: 86400, count: 7, name: "7 days" },
};
const HEIGHT = 132;
const MARGIN = { top: 14, right: 4, bottom: 22, left: 26 };

// The buckets ending with the one that holds `now` (epoch seconds), each with its counts by type.
export function buckets(entries, range, now) {
  const { step, count } = RANGES[range];
  const end = (Math.floor(now / step) + 1) * step;
  const start = end - count * step;
  const out = Array.from({ length: count }, (_, i) => ({
    from: start + i * step, to: start + (i + 1) * step, total: 0, byType: new Map(),
  }));
  for (const entry of entries) {
    if (entry.alerted < start || entry.alerted >= end) continue;
    const bucket = out[Math.floor((entry.alerted - start) / step)];
    bucket.total += 1;
    bucket.byType.set(entry.event.type, (bucket.byType.get(entry.event.type) || 0) + 1);
  }
  return out;
}

export function bucketLabel(bucket, range) {
  const from = new Date(bucket.from * 1000).toISOString();
  const day = from.slice(0, 10);
  if (range === "7d") return day + " UTC";
  const to = new Date(bucket.to * 1000).toISOString();
  return `${day} ${from.slice(11, 16)}–${to.slice(11, 16)} UTC`;
}

// options: width, range, now, pick (the span picked, or null), onPick. Returns the buckets.
export function drawTimeline(svg, entries, options) {
  const width = Math.max(200, Math.floor(options.width));
  const list = buckets(entries, options.range, options.now);
  const types = typesOf(entries);
  const max = Math.max(1, ...list.map((b) => b.total));
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = innerW / list.length;
  const barW = Math.max(2, Math.min(56, slot * 0.72)); // 7 days need no 100 px bars
  const y = (n) => MARGIN.top + innerH - (n / max) * innerH;

  const axis = svgEl("g", { class: "axis", "aria-hidden": "true" },
    svgEl("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(0), y2: y(0) }),
    svgEl("text", { x: MARGIN.left - 6, y: y(max) + 4, "text-anchor": "end" }, String(max)),
    svgEl("text", { x: MARGIN.left - 6, y: y(0), "text-anchor": "end" }, "0"));
  const every = tickEvery(options.range, slot);
  list.forEach((bucket, i) => {
    if (i % every !== 0) return;
    axis.append(svgEl("text", { x: MARGIN.left + slot * (i + 0.5), y: HEIGHT - 6,
      "text-anchor": "middle" }, tickText(bucket, options.range)));
  });

  const bars = list.map((bucket, i) => {
    const x = MARGIN.left + slot * i + (slot - barW) / 2;
    return bar(bucket, { x, barW, y, types, top: MARGIN.top, innerH }, options);
  });
  svg.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(HEIGHT));
  svg.replaceChildren(axis, svgEl("g", { class: "bars" }, ...bars));
  if (!list.some((b) => b.total)) {
    svg.append(svgEl("text", { class: "none", x: width / 2, y: MARGIN.top + innerH / 2,
      "text-anchor": "middle" }, `No alerts in the last ${RANGES[options.range].name}`));
  }
  return list;
}

function bar(bucket, geometry, options) {
  const { x, barW, y, types, top, innerH } = geometry;
  const picked = options.pick && options.pick.from === bucket.from && options.pick.to === bucket.to;
  const label = bucketLabel(bucket, options.range);
  const parts = types.filter((t) => bucket.byType.has(t))
    .map((t) => `${bucket.byType.get(t)} ${humanise(t).toLowerCase()}`);
  const title = `${label}: ${bucket.total} alert${bucket.total === 1 ? "" : "s"}` +
    (parts.length ? " (" + parts.join(", ") + ")" : "");
  const group = svgEl("g", {
    class: "bucket" + (picked ? " picked" : "") + (options.pick && !picked ? " dim" : ""),
    "data-from": bucket.from, "data-to": bucket.to, "data-total": bucket.total,
  });
  // The whole column is the click target: a bar of one alert is only a few pixels high.
  group.append(svgEl("rect", { class: "hit", x, y: top, width: barW, height: innerH }));
  let stacked = 0;
  for (const type of types) {
    const n = bucket.byType.get(type) || 0;
    if (!n) continue;
    group.append(svgEl("rect", {
      class: "segment", x, y: y(stacked + n).toFixed(1), width: barW.toFixed(1),
      height: (y(stacked) - y(stacked + n)).toFixed(1), fill: typeColour(type), "data-type": type,
      "data-count": n,
    }));
    stacked += n;
  }
  pressable(group, title, () => options.onPick({ span: { from: bucket.from, to: bucket.to, label } }));
  return titled(group, title);
}

// Label every n-th bucket so labels never overlap (about 44 px per "14:00" label).
function tickEvery(range, slot) {
  if (range === "7d") return slot >= 44 ? 1 : 2;
  return [1, 2, 3, 4, 6, 12].find((n) => n * slot >= 44) || 12;
}

function tickText(bucket, range) {
  const iso = new Date(bucket.from * 1000).toISOString();
  if (range === "24h") return iso.slice(11, 16);
  return new Date(bucket.from * 1000).toLocaleDateString("en-GB",
    { weekday: "short", day: "numeric", timeZone: "UTC" });
}
