import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { readdir, readFile, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { VERSION } from "../../src/cli/version.js"
import { root } from "../support/cli.js"

// scripts/bundle.mjs run from a snapshot of the project's sources (src/ may be edited while the
// tests run, which would rightly make --if-changed rebuild), with node_modules linked so that the
// bundle's external packages (sharp, better-sqlite3) resolve as they do from dist/. The outputs go
// to a folder of their own (PUBLISHER_DIST_DIR), never the project's dist/, which the other CLI
// tests run from.
let project = ""
let script = ""
let out = ""

const bundle = (args: ReadonlyArray<string> = [], tag?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      {
        cwd: project,
        env: { ...process.env, PUBLISHER_DIST_DIR: out, ...(tag === undefined ? {} : { PUBLISHER_BUILD_TAG: tag }) },
        timeout: 60_000
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

const identity = async (path: string) => {
  const s = await stat(path)
  return { ino: s.ino, mtimeMs: s.mtimeMs }
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex")

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "publisher-bundle-"))
  for (const path of ["src", "scripts/bundle.mjs", "package.json", "package-lock.json", "tsconfig.json"]) {
    cpSync(join(root, path), join(project, path), { recursive: true })
  }
  symlinkSync(join(root, "node_modules"), join(project, "node_modules"), "dir")
  script = join(project, "scripts/bundle.mjs")
  out = join(project, "out")
  mkdirSync(out)
  const built = await bundle()
  expect(built, built.stderr).toMatchObject({ code: 0 })
})

afterAll(() => {
  // Removes the link to node_modules, not what it points to.
  if (project !== "") rmSync(project, { recursive: true, force: true })
})

describe("scripts/bundle.mjs", () => {
  it("builds the CLI, the worker, their source maps and the fingerprint; the CLI runs", async () => {
    const names = await readdir(out)
    expect(names.sort()).toEqual([
      ".build-fingerprint",
      "phash-worker.mjs",
      "phash-worker.mjs.map",
      "publisher.mjs",
      "publisher.mjs.map"
    ])
    const fingerprint = (await readFile(join(out, ".build-fingerprint"), "utf8")).trim()
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)
    const main = await readFile(join(out, "publisher.mjs"), "utf8")
    expect(main.startsWith("#!/usr/bin/env node\n")).toBe(true)
    expect(main).toContain(`// publisher bundle ${fingerprint}`)
    expect(main.trimEnd().endsWith("//# sourceMappingURL=publisher.mjs.map")).toBe(true)
    expect((await stat(join(out, "publisher.mjs"))).mode & 0o111).not.toBe(0)
    const version = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [join(out, "publisher.mjs"), "--version"],
        { cwd: project, timeout: 60_000 },
        (error, stdout) => resolve({ code: error ? 1 : 0, stdout })
      )
    )
    expect(version.code).toBe(0)
    expect(version.stdout).toContain(VERSION)
  })

  it("--if-changed leaves the outputs alone when the sources did not change, rebuilds when the fingerprint differs", async () => {
    const files = ["publisher.mjs", "phash-worker.mjs", "publisher.mjs.map", ".build-fingerprint"].map((name) =>
      join(out, name)
    )
    const before = await Promise.all(files.map(identity))
    const same = await bundle(["--if-changed"])
    expect(same).toEqual({ code: 0, stdout: "", stderr: "" })
    expect(await Promise.all(files.map(identity))).toEqual(before)

    const fingerprintFile = join(out, ".build-fingerprint")
    const fingerprint = await readFile(fingerprintFile, "utf8")
    await writeFile(fingerprintFile, "0".repeat(64) + "\n")
    const changed = await bundle(["--if-changed"])
    expect(changed, changed.stderr).toMatchObject({ code: 0 })
    const after = await Promise.all(files.map(identity))
    after.forEach((now, i) => expect(now.ino, files[i]).not.toBe(before[i]?.ino))
    expect(await readFile(fingerprintFile, "utf8")).toBe(fingerprint)
  })

  it("a reader sees the old or the new bundle whole while a rebuild replaces it", async () => {
    const main = join(out, "publisher.mjs")
    const old = sha256(await readFile(main))
    // Another tag: another fingerprint, so the new bundle's banner (and bytes) differ.
    const child = spawn(process.execPath, [script], {
      cwd: project,
      env: { ...process.env, PUBLISHER_DIST_DIR: out, PUBLISHER_BUILD_TAG: "atomicity-test" },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    let running = true
    void exited.then(() => (running = false))

    const seen = new Map<string, number>()
    while (running) {
      const digest = sha256(await readFile(main))
      seen.set(digest, (seen.get(digest) ?? 0) + 1)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await exited, stderr).toBe(0)
    const fresh = sha256(await readFile(main))
    expect(fresh).not.toBe(old)
    const reads = [...seen.values()].reduce((a, b) => a + b, 0)
    expect(reads).toBeGreaterThan(10)
    // Every read was one of the two complete files, nothing in between.
    expect([...seen.keys()].filter((digest) => digest !== old && digest !== fresh)).toEqual([])
    expect(seen.get(old) ?? 0).toBeGreaterThan(0)
    // No temporary files left behind.
    expect((await readdir(out)).filter((name) => name.endsWith(".tmp"))).toEqual([])
  })
})
