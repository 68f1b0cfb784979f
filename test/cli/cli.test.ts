import { describe, expect, it } from "@effect/vitest"
import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import packageJson from "../../package.json" with { type: "json" }
import { VERSION } from "../../src/cli/version.js"
import { cli, root } from "../support/cli.js"
import { freshDatabaseUrl } from "../support/postgres.js"
import { useTempDirs } from "../support/tempDir.js"

const tempDir = useTempDirs()

describe("publisher CLI", () => {
  it("--version prints the package version", async () => {
    expect(VERSION).toBe(packageJson.version)
    const { code, stdout } = await cli(["--version"])
    expect(code).toBe(0)
    expect(stdout).toContain(VERSION)
  })

  it("--help works on every command", async () => {
    for (
      const args of [
        ["--help"],
        ["run", "--help"],
        ["sandbox", "--help"],
        ["state", "import", "--help"],
        ["state", "export", "--help"],
        ["config", "--help"],
        ["check", "--help"],
        ["schedule", "--help"]
      ]
    ) {
      const { code, stdout } = await cli(args)
      expect(code, args.join(" ")).toBe(0)
      expect(stdout.length).toBeGreaterThan(20)
    }
  })

  it("--help into a pipe has no escape codes, and its usage names the program", async () => {
    const { code, stdout } = await cli(["run", "--help"])
    expect(code).toBe(0)
    expect(stdout).not.toMatch(/\u001b\[/)
    expect(stdout).toMatch(/^\$ publisher run \[--select text\]/m)
    const usage = await cli(["run", "--no-such-option"])
    expect(usage.stdout + usage.stderr).not.toMatch(/\u001b\[/)
  })

  it("a missing variable exits 2 with its name on one line, no stack", async () => {
    const dir = await tempDir("publisher-cli-")
    const { code, stderr, stdout } = await cli(["run"], {}, dir)
    expect(code).toBe(2)
    expect(stderr).toMatch(/missing configuration variable IMAGE_FOLDER/)
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/)
    expect(stdout).toBe("")
  })

  it("a bad logging setting (read before the command) is explained on one line too, exit 2", async () => {
    const dir = await tempDir("publisher-cli-")
    const bad = await cli(["config"], { LOG_LEVEL: "loud" }, dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(
      /^error: invalid configuration variable LOG_LEVEL: must be one of All, Trace, Debug, Info, Warning, Error, Fatal, None/
    )
    expect((await cli(["config"], { LOG_LEVEL: "Warning" }, dir)).code).toBe(0)
  })

  it("reads configuration from a .env file", async () => {
    const dir = await tempDir("publisher-cli-")
    await writeFile(join(dir, ".env"), "IMAGE_FOLDER=/Photos\nSTORAGE=nonsense\n")
    const { code, stderr } = await cli(["run"], {}, dir)
    expect(code).toBe(2)
    expect(stderr).toMatch(/STORAGE/)
    expect(stderr).not.toMatch(/IMAGE_FOLDER/)
  })

  it("an unknown option is bad usage: exit 2", async () => {
    const { code } = await cli(["run", "--no-such-flag"])
    expect(code).toBe(2)
  })

  it("state import reads posted.json into the state file, idempotently", async () => {
    const dir = await tempDir("publisher-cli-")
    const env = { PUBLISHER_STATE_DB: join(dir, "state.db") }
    const fixture = join(root, "test/fixtures/publisher_v2/posted.json")
    const first = await cli(["state", "import", fixture], env)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/3 new of 3 hashes/)
    const second = await cli(["state", "import", fixture], env)
    expect(second.stdout).toMatch(/0 new of 3 hashes/)
    await writeFile(join(dir, "bad.json"), "{\"posted\": []}")
    const bad = await cli(["state", "import", join(dir, "bad.json")], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/posted\.json must be/)
  })

  it("state export writes publisher_v2's posted.json (sorted keys and hashes), atomically; it imports back unchanged", async () => {
    const dir = await tempDir("publisher-cli-")
    const fixture = join(root, "test/fixtures/publisher_v2/posted.json")
    const source = JSON.parse(await readFile(fixture, "utf8")) as {
      hashes: Array<string>
      dropbox_content_hashes?: Array<string>
    }
    expect((await cli(["state", "import", fixture], { PUBLISHER_STATE_DB: join(dir, "a.db") })).code).toBe(0)
    const written = await cli(["state", "export", join(dir, "posted.json")], { PUBLISHER_STATE_DB: join(dir, "a.db") })
    expect(written.code).toBe(0)
    expect(written.stdout).toMatch(/Wrote .*posted\.json: 1 SHA-256 and 2 content hashes/)
    const text = await readFile(join(dir, "posted.json"), "utf8")
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["dropbox_content_hashes", "hashes"])
    const exported = JSON.parse(text) as { hashes: Array<string>; dropbox_content_hashes: Array<string> }
    expect(exported.hashes).toEqual(source.hashes.map((h) => h.toLowerCase()).sort())
    expect(exported.dropbox_content_hashes).toEqual(
      [...(source.dropbox_content_hashes ?? [])].map((h) => h.toLowerCase()).sort()
    )
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([])
    // To standard output, and back into a fresh state.
    const printed = await cli(["state", "export"], { PUBLISHER_STATE_DB: join(dir, "a.db") })
    expect(printed.stdout.trim()).toBe(text.trim())
    expect((await cli(["state", "import", join(dir, "posted.json")], { PUBLISHER_STATE_DB: join(dir, "b.db") })).stdout)
      .toMatch(/3 new of 3 hashes/)
    // A folder that does not exist: exit 2, nothing half-written.
    const failed = await cli(["state", "export", join(dir, "missing", "posted.json")], {
      PUBLISHER_STATE_DB: join(dir, "a.db")
    })
    expect(failed.code).toBe(2)
    expect(failed.stderr).toMatch(/cannot write/)
  })

  it("state copy moves a SQLite file's history into PostgreSQL (DATABASE_URL), idempotently", async () => {
    const dir = await tempDir("publisher-cli-")
    const sqlite = join(dir, "state.db")
    const fixture = join(root, "test/fixtures/publisher_v2/posted.json")
    expect((await cli(["state", "import", fixture], { PUBLISHER_STATE_DB: sqlite })).code).toBe(0)
    const pg = { DATABASE_URL: await freshDatabaseUrl(), PUBLISHER_STATE_DB: join(dir, "unused.db") }
    const first = await cli(["state", "copy", sqlite], pg)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/3 new of 3 posted hashes, 0 new of 0 platform outcomes/)
    const again = await cli(["state", "copy", sqlite], pg)
    expect(again.stdout).toMatch(/0 new of 3 posted hashes/)
    // The hashes are in PostgreSQL now: importing the same posted.json there finds nothing new.
    expect((await cli(["state", "import", fixture], pg)).stdout).toMatch(/0 new of 3 hashes/)
    expect((await cli(["state", "copy", join(dir, "missing.db")], pg)).code).toBe(2)
  })

  it("sandbox --json: K runs over N photos, then 'no new images', with emulator calls", async () => {
    const { code, stdout } = await cli(["sandbox", "--images", "2", "--runs", "3", "--json"])
    expect(code).toBe(0)
    const runs = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, any>)
    expect(runs).toHaveLength(3)
    expect(runs[0]!.image).not.toBe(runs[1]!.image)
    expect(runs.slice(0, 2).every((r) => r.published.telegram.ok && r.archived)).toBe(true)
    expect(runs[2]!.image).toBeNull()
    expect(runs[2]!.message).toMatch(/No new images/)
    expect(runs[0]!.emulator_calls["telegram:sendPhoto"]).toBe(1)
    expect(runs[2]!.emulator_calls["dropbox:files/download"]).toBeUndefined()
  })
})

describe("publisher CLI: where the configuration comes from (issue #13)", () => {
  it("--env FILE and --config FILE.ini work after the command as before it (not after --)", async () => {
    const dir = await tempDir("publisher-cli-")
    await writeFile(join(dir, "my.env"), "IMAGE_FOLDER=/Photos\nSTORAGE=nonsense\n")
    await writeFile(join(dir, "v2.ini"), "[Content]\ntelegram = sometimes\n")
    for (
      const args of [["--env", "my.env", "run", "--preview"], ["run", "--preview", "--env", "my.env"], [
        "run",
        "--preview",
        "--env=my.env"
      ]]
    ) {
      const { code, stderr } = await cli(args, {}, dir)
      expect(code, args.join(" ")).toBe(2)
      expect(stderr, args.join(" ")).toContain(
        `invalid configuration variable STORAGE: Expected one of (dropbox, local) but received "nonsense" (from .env (${
          join(dir, "my.env")
        }))`
      )
      expect(stderr, args.join(" ")).not.toMatch(/IMAGE_FOLDER/)
    }
    for (const args of [["--config", "v2.ini", "run", "--preview"], ["run", "--preview", "--config", "v2.ini"]]) {
      const { code, stderr } = await cli(args, {}, dir)
      expect(code, args.join(" ")).toBe(2)
      expect(stderr, args.join(" ")).toMatch(/\[Content\] telegram: "sometimes" is not a boolean/)
    }
    // After --, it is not ours: @effect/cli gets it (and rejects what run does not take).
    const after = await cli(["run", "--preview", "--", "--env", "my.env"], {}, dir)
    expect(after.code).toBe(2)
    expect(after.stderr).not.toMatch(/STORAGE/)
  })

  it("the environment wins over .env for every variable, and an invalid value in it is an error, whatever .env says", async () => {
    const dir = await tempDir("publisher-cli-")
    await writeFile(join(dir, ".env"), "IMAGE_FOLDER=/Photos\nSTORAGE=local\n")
    const bad = await cli(["run", "--preview"], { STORAGE: "lokal" }, dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe(
      `error: invalid configuration variable STORAGE: Expected one of (dropbox, local) but received "lokal" (from the environment)`
    )
    await writeFile(join(dir, ".env"), "IMAGE_FOLDER=/Photos\nSTORAGE=nonsense\n")
    const good = await cli(["run", "--preview"], { STORAGE: "dropbox" }, dir)
    expect(good.stderr).not.toMatch(/STORAGE/)
  })

  it("PORT=abc is one line naming PORT and what it expects, exit 2", async () => {
    const dir = await tempDir("publisher-cli-")
    await writeFile(join(dir, ".env"), "HOST=127.0.0.1\n")
    const { code, stderr } = await cli(["serve"], {
      PORT: "abc",
      web_admin_pw: "x",
      STORAGE: "local",
      IMAGE_FOLDER: dir,
      OPENAI_API_KEY: "x"
    }, dir)
    expect(code).toBe(2)
    expect(stderr.trim().split("\n")).toEqual([
      `error: invalid configuration variable PORT: Expected an integer value but received "abc" (from the environment)`
    ])
  })
})
