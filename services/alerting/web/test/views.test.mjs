// Unit tests of the map's and timeline's pure parts (node --test; run by
// tests/unit/alerting_api/test_page_scripts.py, or `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { RADIUS_MAX, RADIUS_MIN, markerRadius, typeColour, typesOf } from "../src/palette.js";
import { bucketLabel, buckets } from "../src/timeline.js";

const HOUR = 3600;
const NOW = 1752480000 + 30 * 60; // 2025-07-14 08:30 UTC
const alert = (type, alerted) => ({ event: { type }, alerted });

test("hourly buckets end with the hour that holds now, counted by type", () => {
  const list = buckets([
    alert("attack", NOW), alert("attack", NOW - 10), alert("mobilisation", NOW - 2 * HOUR),
    alert("attack", NOW - 25 * HOUR), alert("attack", NOW + HOUR),
  ], "24h", NOW);
  assert.equal(list.length, 24);
  const last = list[23];
  assert.deepEqual([last.from, last.to], [1752480000, 1752480000 + HOUR]);
  assert.equal(last.total, 2);
  assert.equal(last.byType.get("attack"), 2);
  assert.equal(list[21].byType.get("mobilisation"), 1);
  assert.equal(list.reduce((n, b) => n + b.total, 0), 3); // older than 24 h, or ahead: left out
});

test("daily buckets are whole UTC days", () => {
  const list = buckets([alert("attack", NOW - 6 * 24 * HOUR)], "7d", NOW);
  assert.equal(list.length, 7);
  assert.equal(list[0].total, 1);
  assert.equal(list[6].from % 86400, 0);
  assert.equal(bucketLabel(list[6], "7d"), "2025-07-14 UTC");
  assert.equal(bucketLabel(buckets([], "24h", NOW)[23], "24h"), "2025-07-14 08:00–09:00 UTC");
});

test("marker radius grows with the square root of the quantity, within bounds", () => {
  assert.equal(markerRadius(null), RADIUS_MIN);
  assert.equal(markerRadius({ max: 0 }), RADIUS_MIN);
  assert.equal(markerRadius({ max: 12e6 }), RADIUS_MAX);
  assert.equal(markerRadius({ max: 100000 }), RADIUS_MAX);
  const quarter = markerRadius({ max: 25000 });
  assert.equal(quarter, RADIUS_MIN + (RADIUS_MAX - RADIUS_MIN) / 2);
});

test("a type keeps its colour; unknown types get a stable spare one", () => {
  assert.equal(typeColour("attack"), typeColour("attack"));
  assert.notEqual(typeColour("attack"), typeColour("mobilisation"));
  assert.equal(typeColour("naval_blockade"), typeColour("naval_blockade"));
  assert.match(typeColour("naval_blockade"), /^#[0-9a-f]{6}$/);
  assert.equal(typeColour("toString"), typeColour("toString")); // not Object.prototype's
  assert.deepEqual(typesOf([alert("b", 0), alert("a", 0), alert("b", 0)]), ["a", "b"]);
});
