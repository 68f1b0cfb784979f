import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { stopClustersUnder } from "./postgres.js"

/**
 * Vitest global setup: a folder for the throwaway PostgreSQL clusters test workers start (see
 * ./postgres.ts), and, at the end of the run, every server in it stopped and the folder removed
 * (workers may be killed before their own exit handlers run; a server left running would keep
 * CI's job alive).
 */
export default function setup() {
  const root = mkdtempSync(join(tmpdir(), "publisher-pg-"))
  process.env["PUBLISHER_TEST_PG_ROOT"] = root
  return () => {
    stopClustersUnder(root)
    rmSync(root, { recursive: true, force: true })
  }
}
