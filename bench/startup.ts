import { execFileSync, spawnSync } from "node:child_process"
import { rmSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"

export interface StartupRow {
  readonly build: string
  readonly command: string
  readonly medianMs: number
  readonly runs: ReadonlyArray<number>
}

const root = new URL("..", import.meta.url).pathname

/** Wall time of one `node <args>` to exit. */
const once = (args: ReadonlyArray<string>) => {
  const started = performance.now()
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
  if (result.status !== 0) {
    throw new Error(`node ${args.join(" ")}: exit ${result.status}: ${String(result.stderr).slice(0, 300)}`)
  }
  return performance.now() - started
}

/**
 * CLI start-up, `publisher --version` and `publisher dedup hash` of one file, from the shipped
 * bundle (scripts/bundle.mjs) against the same sources compiled module by module (tsc), run one
 * after the other `repeats` times each after a warm-up run.
 */
export const startupBench = (repeats: number): Array<StartupRow> => {
  execFileSync(process.execPath, ["scripts/bundle.mjs"], { cwd: root, stdio: "inherit" })
  const unbundled = join(root, ".bench-unbundled")
  rmSync(unbundled, { recursive: true, force: true })
  execFileSync(process.execPath, [
    join(root, "node_modules/typescript/bin/tsc"),
    "-p",
    "tsconfig.build.json",
    "--outDir",
    unbundled,
    "--sourceMap",
    "false"
  ], { cwd: root, stdio: "inherit" })
  try {
    const image = join(root, "test/support/peppers-with-p3-profile.png")
    const builds: ReadonlyArray<[string, string]> = [[
      "bundle (`dist/publisher.mjs`)",
      join(root, "dist/publisher.mjs")
    ], ["modules (tsc output)", join(unbundled, "cli/main.js")]]
    const commands: ReadonlyArray<[string, ReadonlyArray<string>]> = [["--version", ["--version"]], [
      "dedup hash FILE",
      ["dedup", "hash", image]
    ]]
    const rows: Array<StartupRow> = []
    for (const [command, args] of commands) {
      for (const [build, main] of builds) {
        once([main, ...args])
        const runs = Array.from({ length: repeats }, () => once([main, ...args]))
        rows.push({ build, command, runs, medianMs: [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]! })
      }
    }
    return rows
  } finally {
    rmSync(unbundled, { recursive: true, force: true })
  }
}
