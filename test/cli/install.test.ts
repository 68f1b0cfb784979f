import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { root } from "../support/cli.js"

// Issue #13: the package as a user gets it. `npm pack` of this checkout, then
//   - `npm install -g` of the tarball into a temporary prefix, and
//   - `npx --package=<tarball> publisher ...` (npm exec, which installs into its own cache folder),
// each run from a folder outside the checkout with a HOME of its own. Both installs fetch the
// dependencies through npm (--prefer-offline: from the npm cache when it has them) and build
// better-sqlite3 from source when no prebuilt binary can be downloaded (as here: this machine
// reaches only the registry), which takes a minute or two each; they run side by side.
//
// npm keeps the user's configuration (~/.npmrc: registry, nodedir for node-gyp) and the user's
// package cache (linked in), but writes its npx installs and logs into the test's folder;
// `publisher` gets a temporary HOME.

/**
 * Opt-in (PUBLISHER_TEST_INSTALL=1): on a 2-core machine each install takes 2-2.5 minutes alone
 * (4.3 minutes for this file), and more than 5 minutes while the rest of the suite runs beside it,
 * which would double the suite's time or make it fail on a timeout.
 */
const enabled = process.env["PUBLISHER_TEST_INSTALL"] === "1"
const INSTALL_TIMEOUT = 600_000

const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version

let dir = ""
let tarball = ""
let prefix = ""
let cache = ""
let elsewhere = ""
let home = ""
let userconfig = ""
let packed: Array<string> = []

type Result = { code: number; stdout: string; stderr: string }

const run = (
  file: string,
  args: ReadonlyArray<string>,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeout: number }
) =>
  new Promise<Result>((resolve) => {
    execFile(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
        stdout,
        // A command killed by its timeout says so (execFile's error has no code then).
        stderr: error?.killed
          ? `${[file, ...args].join(" ")}: killed (${error.signal}) after ${options.timeout} ms\n${stderr}`
          : stderr
      }))
  })

/** The environment without what an enclosing `npm test` exports (npm_config_*, npm_package_*, …). */
const npmEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "INIT_CWD"))

const npm = (args: ReadonlyArray<string>, cwd: string, timeout = INSTALL_TIMEOUT) =>
  run("npm", args, { cwd, env: npmEnv(), timeout })

/** Options for the installing commands: the test's cache folder, no network when the cache has it. */
const withCache =
  () => ["--cache", cache, "--prefer-offline", "--no-audit", "--no-fund", "--allow-scripts=better-sqlite3"]

/** `publisher` as the user runs it: from elsewhere, with a HOME of its own and nothing else set. */
const publisherEnv = (extra: Record<string, string> = {}) => ({ PATH: process.env["PATH"] ?? "", HOME: home, ...extra })

const npx = (args: ReadonlyArray<string>, timeout = INSTALL_TIMEOUT) =>
  run("npm", ["exec", "--yes", ...withCache(), `--package=${tarball}`, "--", "publisher", ...args], {
    cwd: elsewhere,
    // The sandbox run by npx gets the temporary HOME too; npm still reads the user's ~/.npmrc.
    env: { ...npmEnv(), HOME: home, ...(userconfig === "" ? {} : { npm_config_userconfig: userconfig }) },
    timeout
  })

let installed: Result = { code: -1, stdout: "", stderr: "" }
let npxVersion: Result = { code: -1, stdout: "", stderr: "" }

describe.skipIf(!enabled)("installing the package (npm pack) [PUBLISHER_TEST_INSTALL=1]", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "publisher-install-"))
    prefix = join(dir, "prefix")
    elsewhere = join(dir, "elsewhere")
    home = join(dir, "home")
    cache = join(dir, "npm-cache")
    for (const path of [prefix, elsewhere, home, cache, join(dir, "pack")]) mkdirSync(path)
    // The user's package cache, shared (cacache is safe to share between processes); the link is
    // removed with the folder, not what it points to.
    const [userCache, userConfig] = await Promise.all(
      ["cache", "userconfig"].map(async (key) => (await npm(["config", "get", key], elsewhere, 60_000)).stdout.trim())
    )
    userconfig = userConfig ?? ""
    if (userCache !== undefined && userCache !== "") {
      mkdirSync(join(userCache, "_cacache"), { recursive: true })
      symlinkSync(join(userCache, "_cacache"), join(cache, "_cacache"), "dir")
    }

    // --ignore-scripts: the tests' global setup has just built dist/ from the sources under test
    // (`prepare` would only check that again, or rebuild dist/ under the other CLI tests' feet
    // when src/ is being edited).
    const pack = await npm(
      ["pack", "--json", "--ignore-scripts", "--pack-destination", join(dir, "pack")],
      root,
      120_000
    )
    expect(pack, pack.stderr).toMatchObject({ code: 0 })
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    tarball = join(dir, "pack", info!.filename)
    packed = info!.files.map((f) => f.path).sort()
    // The two installs side by side: each spends most of its time compiling better-sqlite3.
    const both = await Promise.all([
      npm(["install", "-g", "--prefix", prefix, ...withCache(), tarball], elsewhere),
      npx(["--version"])
    ])
    ;[installed, npxVersion] = both
  }, INSTALL_TIMEOUT + 120_000)

  // Two installs are some 500 MB of files: removed asynchronously (a synchronous rm blocks the
  // worker long enough for vitest's RPC to time out), with time to spare on a loaded machine.
  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true })
  }, 300_000)

  it("the tarball holds the bundles and package.json, not the sources", () => {
    expect(packed).toEqual(expect.arrayContaining(["package.json", "dist/publisher.mjs", "dist/phash-worker.mjs"]))
    expect(
      packed.filter((path) => !path.startsWith("dist/") && !["package.json", "README.md", "LICENSE"].includes(path))
    ).toEqual([])
    expect(tarball.endsWith(`publisher-${version}.tgz`)).toBe(true)
  })

  it("npm install -g: `publisher --version` prints package.json's version", async () => {
    expect(installed, installed.stderr).toMatchObject({ code: 0 })
    const result = await run(join(prefix, "bin", "publisher"), ["--version"], {
      cwd: elsewhere,
      env: publisherEnv(),
      timeout: 60_000
    })
    expect(result, result.stderr).toMatchObject({ code: 0 })
    expect(result.stdout.trim()).toBe(version)
  })

  it("npm install -g: `publisher sandbox --images 2 --json` posts an image", async () => {
    expect(installed, installed.stderr).toMatchObject({ code: 0 })
    const result = await run(join(prefix, "bin", "publisher"), ["sandbox", "--images", "2", "--json"], {
      cwd: elsewhere,
      env: publisherEnv(),
      timeout: 120_000
    })
    expect(result, result.stderr).toMatchObject({ code: 0 })
    const runs = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ ok: true, archived: true, image: expect.stringMatching(/\.jpg$/) })
    expect(runs[0]!.published.telegram).toMatchObject({ status: "published", ok: true })
  })

  it("npm install -g: better-sqlite3 loads (`publisher state export` on a SQLite state file)", async () => {
    expect(installed, installed.stderr).toMatchObject({ code: 0 })
    const result = await run(join(prefix, "bin", "publisher"), ["state", "export"], {
      cwd: elsewhere,
      env: publisherEnv({ PUBLISHER_STATE_DB: join(home, "state.db") }),
      timeout: 60_000
    })
    expect(result, result.stderr).toMatchObject({ code: 0 })
    expect(JSON.parse(result.stdout)).toEqual({ dropbox_content_hashes: [], hashes: [] })
  })

  it("npx --package=<tarball>: `publisher --version`, then `publisher sandbox` from npx's install", async () => {
    expect(npxVersion, npxVersion.stderr).toMatchObject({ code: 0 })
    expect(npxVersion.stdout.trim()).toBe(version)
    const sandbox = await npx(["sandbox", "--images", "2", "--json"], 120_000)
    expect(sandbox, sandbox.stderr).toMatchObject({ code: 0 })
    const runs = sandbox.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>)
    expect(runs[0]).toMatchObject({ ok: true, archived: true })
  })
})
