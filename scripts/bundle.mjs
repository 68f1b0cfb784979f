// Bundles the CLI (dist/publisher.mjs) and the hashing worker (dist/phash-worker.mjs) with
// esbuild: one file to parse instead of a thousand modules, so the CLI starts about twice as fast
// (BENCHMARKS.md). Native and optional packages stay outside, loaded from node_modules.
import { build } from "esbuild"

const external = [
  "sharp", // native
  "better-sqlite3", // native (@effect/sql-sqlite-node)
  "pg-native", // optional in pg
  "bufferutil", // optional in ws
  "utf-8-validate", // optional in ws
  "chart.js" // read as a file by `publisher stats --html`
]

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  external,
  logLevel: "warning",
  // CommonJS packages inside an ES module bundle need `require`.
  banner: { js: "import { createRequire as __publisherRequire } from \"node:module\"; const require = __publisherRequire(import.meta.url);" }
}

await Promise.all([
  build({
    ...common,
    entryPoints: ["src/cli/main.ts"],
    outfile: "dist/publisher.mjs",
    // The hashing pool starts this file as its worker (src/services/phash/pool.ts).
    define: { PUBLISHER_PHASH_WORKER: JSON.stringify("./phash-worker.mjs") }
  }),
  build({ ...common, entryPoints: ["src/services/phash/worker.ts"], outfile: "dist/phash-worker.mjs" })
])
