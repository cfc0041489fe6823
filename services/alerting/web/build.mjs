// Bundles the live page's map and timeline (src/views.js, with d3-geo, topojson-client and the
// Natural Earth countries from world-atlas) into dist/views.js, and writes the licences of every
// package bundled into dist/LICENSES.txt. Run by `npm run build` (`make install`, the Dockerfile).
import { readFile, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "dist");

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const result = await build({
  entryPoints: [path.join(here, "src", "views.js")],
  outfile: path.join(dist, "views.js"),
  bundle: true,
  minify: true,
  format: "iife", // a classic deferred script: the page's CSP allows 'self' scripts only
  target: ["es2020"],
  legalComments: "none", // the licences go to LICENSES.txt instead, once per package
  metafile: true,
  logLevel: "warning",
});

// node_modules/<name>/... or node_modules/@scope/<name>/... for every bundled input.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const sections = [];
for (const name of [...packages].sort()) {
  const dir = path.resolve("node_modules", name);
  const meta = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  const licence = await readFile(path.join(dir, "LICENSE"), "utf8").catch(() => meta.license);
  sections.push(`${name} ${meta.version}\n\n${String(licence).trim()}\n`);
}
await writeFile(
  path.join(dist, "LICENSES.txt"),
  "Third-party code and data bundled into views.js:\n\n" + sections.join("\n----\n\n"),
);
