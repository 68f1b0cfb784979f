import { afterEach } from "@effect/vitest"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * Temporary folders for the tests of one file, each removed (with what is in it) after the test
 * that made it, pass or fail. Call once at the top level of a test file:
 * `const tempDir = useTempDirs()`, then `await tempDir("publisher-x-")` in a test.
 */
export const useTempDirs = () => {
  const made: Array<string> = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async (prefix: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}
