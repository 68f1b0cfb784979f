// Bundles the CLI (dist/publisher.mjs) and the hashing worker (dist/phash-worker.mjs) with
// esbuild: one file to parse instead of a thousand modules, so the CLI starts about twice as fast
// (BENCHMARKS.md). Native and optional packages stay outside, loaded from node_modules.
//
//   node scripts/bundle.mjs               always rebuilds (`npm run build`, the tests' global setup)
//   node scripts/bundle.mjs --if-changed  rebuilds only when the sources changed (`prepare`)
//
// Every output is written to a temporary file next to it (.publisher.mjs.<pid>.tmp) and renamed
// into place, so a `publisher` starting while a build runs reads the old or the new file whole,
// never a half-written one. The last file written is dist/.build-fingerprint: a sha256 over the
// sources (src/, this script, package.json, package-lock.json, tsconfig.json), also written into
// each bundle's banner; --if-changed exits quietly when it and the bundles match the sources.
//
// PUBLISHER_DIST_DIR puts the outputs elsewhere (tests). PUBLISHER_BUILD_TAG, when set, is mixed
// into the fingerprint and banner (tests use it to make a build differ without touching sources).
import { build } from "esbuild"
import { createHash } from "node:crypto"
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const outDir = resolve(process.env["PUBLISHER_DIST_DIR"] || join(root, "dist"))
const tag = process.env["PUBLISHER_BUILD_TAG"] ?? ""
const args = process.argv.slice(2)
for (const arg of args) {
  if (arg !== "--if-changed") {
    console.error(`bundle.mjs: unknown argument ${arg} (usage: node scripts/bundle.mjs [--if-changed])`)
    process.exit(2)
  }
}
const ifChanged = args.includes("--if-changed")

const external = [
  "sharp", // native
  "better-sqlite3", // native (@effect/sql-sqlite-node)
  "pg-native", // optional in pg
  "bufferutil", // optional in ws
  "utf-8-validate", // optional in ws
  "chart.js" // read as a file by `publisher stats --html`
]

const mainOut = join(outDir, "publisher.mjs")
const workerOut = join(outDir, "phash-worker.mjs")
const fingerprintFile = join(outDir, ".build-fingerprint")
const outputs = [mainOut, `${mainOut}.map`, workerOut, `${workerOut}.map`]

/** sha256 over the inputs of the bundle, file by file in path order (node_modules: via the lock). */
const fingerprint = () => {
  const files = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) files.push(path)
    }
  }
  walk(join(root, "src"))
  files.push(...["scripts/bundle.mjs", "package.json", "package-lock.json", "tsconfig.json"].map((f) => join(root, f)))
  const hash = createHash("sha256")
  hash.update(`publisher-bundle-v1\0tag\0${tag}\0`)
  for (const rel of files.map((f) => relative(root, f).split("\\").join("/")).sort()) {
    let content
    try {
      content = readFileSync(join(root, rel))
    } catch (error) {
      if (error?.code !== "ENOENT") throw error
      hash.update(`${rel}\0missing\0`)
      continue
    }
    hash.update(`${rel}\0${content.length}\0`)
    hash.update(content)
  }
  return hash.digest("hex")
}

const readOrUndefined = (path) => {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

/** The first bytes of a file (where the banner is), or undefined when it cannot be read. */
const head = (path, bytes = 1024) => {
  let fd
  try {
    fd = openSync(path, "r")
    const buffer = Buffer.alloc(bytes)
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0)).toString("utf8")
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

const bannerMarker = (print) => `// publisher bundle ${print}`

const nonEmpty = (path) => {
  try {
    return statSync(path).size > 0
  } catch {
    return false
  }
}

const upToDate = (print) => {
  if (readOrUndefined(fingerprintFile)?.trim() !== print) return false
  // The outputs exist and the bundles carry this fingerprint (so builds that raced each other
  // cannot leave a fingerprint that does not describe them).
  return outputs.every(nonEmpty) && [mainOut, workerOut].every((path) => head(path)?.includes(bannerMarker(print)))
}

const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error?.code === "EPERM"
  }
}

/** Temporary files left by builds that died before renaming them. */
const removeStaleTemporaries = () => {
  let names
  try {
    names = readdirSync(outDir)
  } catch {
    return
  }
  for (const name of names) {
    const pid = /^\..+\.(\d+)\.tmp$/.exec(name)?.[1]
    if (pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid))) {
      rmSync(join(outDir, name), { force: true })
    }
  }
}

const temporaryFor = (path) => join(dirname(path), `.${relative(dirname(path), path)}.${process.pid}.tmp`)

/**
 * Writes every file to its temporary name, then renames them into place in the given order
 * (rename within a directory replaces the target atomically). On failure, removes the temporaries.
 */
const writeAtomically = (files) => {
  const written = []
  try {
    for (const { path, contents } of files) {
      const temporary = temporaryFor(path)
      // As esbuild does: a file starting with #! is made executable.
      const executable = contents[0] === 0x23 && contents[1] === 0x21
      writeFileSync(temporary, contents, { mode: executable ? 0o755 : 0o644 })
      written.push({ temporary, path })
    }
    while (written.length > 0) {
      const [{ temporary, path }] = written
      renameSync(temporary, path)
      written.shift()
    }
  } finally {
    for (const { temporary } of written) rmSync(temporary, { force: true })
  }
}

const print = fingerprint()
if (ifChanged && upToDate(print)) process.exit(0)

mkdirSync(outDir, { recursive: true })
removeStaleTemporaries()

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  external,
  logLevel: "warning",
  // Outputs are returned and written by writeAtomically, never in place.
  write: false,
  // CommonJS packages inside an ES module bundle need `require`. The second line tells which
  // sources the bundle was built from (see upToDate).
  banner: {
    js:
      "import { createRequire as __publisherRequire } from \"node:module\"; const require = __publisherRequire(import.meta.url);\n" +
      bannerMarker(print)
  }
}

const [main, worker] = await Promise.all([
  build({
    ...common,
    entryPoints: ["src/cli/main.ts"],
    outfile: mainOut,
    // The hashing pool starts this file as its worker (src/services/phash/pool.ts).
    define: { PUBLISHER_PHASH_WORKER: JSON.stringify("./phash-worker.mjs") }
  }),
  build({ ...common, entryPoints: ["src/services/phash/worker.ts"], outfile: workerOut })
])

// Source maps first, then the worker, then the CLI (so a CLI that starts from the new
// publisher.mjs finds the new worker), and the fingerprint last.
const rank = (path) => (path.endsWith(".map") ? 0 : path === mainOut ? 2 : 1)
const files = [...main.outputFiles, ...worker.outputFiles]
  .map(({ path, contents }) => ({ path, contents }))
  .sort((a, b) => rank(a.path) - rank(b.path))
for (const path of outputs) {
  if (!files.some((file) => file.path === path)) throw new Error(`bundle.mjs: esbuild produced no ${path}`)
}
writeAtomically([...files, { path: fingerprintFile, contents: Buffer.from(`${print}\n`) }])
