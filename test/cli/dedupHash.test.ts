import { describe, expect, it } from "@effect/vitest"
import { join } from "node:path"
import { cli, root } from "../support/cli.js"

const fixtures = join(root, "test/fixtures")

describe("publisher dedup hash", () => {
  it("prints `<16 hex>  <file>` per file in argument order", async () => {
    const result = await cli(["dedup", "hash", join(fixtures, "peppers.png"), join(fixtures, "imagehash.png")])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      `92a71cdc79d980e3  ${join(fixtures, "peppers.png")}\nba8c84536bd3c366  ${join(fixtures, "imagehash.png")}\n`
    )
  })

  it("a file that is not an image: named on stderr, the others still printed, exit 1", async () => {
    const result = await cli(["dedup", "hash", join(root, "package.json"), join(fixtures, "peppers.png")])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(`92a71cdc79d980e3  ${join(fixtures, "peppers.png")}\n`)
    expect(result.stderr).toContain(`cannot hash ${join(root, "package.json")}`)
  })

  it("a missing file or no file at all is a usage error (exit 2)", async () => {
    expect((await cli(["dedup", "hash", "/no/such/file.jpg"])).code).toBe(2)
    expect((await cli(["dedup", "hash"])).code).toBe(2)
  })
})
