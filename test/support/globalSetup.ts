import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { stopClustersUnder } from "./postgres.js"

/**
 * Vitest global setup: the CLI bundle built; a folder for the throwaway PostgreSQL clusters test workers start (see
 * ./postgres.ts), and, at the end of the run, every server in it stopped and the folder removed
 * (workers may be killed before their own exit handlers run; a server left running would keep
 * CI's job alive).
 */
export default function setup() {
  // The CLI tests run the shipped bundle: build it from the sources under test.
  execFileSync(process.execPath, ["scripts/bundle.mjs"], {
    cwd: new URL("../..", import.meta.url).pathname,
    stdio: "inherit"
  })
  const root = mkdtempSync(join(tmpdir(), "publisher-pg-"))
  process.env["PUBLISHER_TEST_PG_ROOT"] = root
  return () => {
    stopClustersUnder(root)
    rmSync(root, { recursive: true, force: true })
  }
}
