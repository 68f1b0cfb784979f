import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startSandbox } from "../../src/sandbox/sandbox.js"
import { cli, spawnCli } from "../support/cli.js"
import { until } from "../support/wait.js"

const stopped = (child: ReturnType<typeof spawnCli>) =>
  Effect.promise(() =>
    new Promise<number | null>((resolve) => {
      child.once("exit", (code) => resolve(code))
      child.kill("SIGINT")
    })
  )

describe("posting on a schedule (PUBLISH_SCHEDULE)", () => {
  it.live(
    "publisher schedule posts at each time until every photo is posted, never one twice, and stops on Ctrl-C",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 2 })
        // Every second (six fields: seconds first).
        const child = spawnCli(["schedule", "--cron", "* * * * * *"], Object.fromEntries(sandbox.config), "pipe")
        let output = ""
        child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
        yield* until(() => sandbox.telegram.messages.length === 2, "two scheduled posts")
        // Later runs find nothing new.
        const listings = sandbox.dropbox.calls["files/list_folder"] ?? 0
        yield* until(() => (sandbox.dropbox.calls["files/list_folder"] ?? 0) >= listings + 2, "two more scheduled runs")
        expect(yield* stopped(child)).toBe(130)
        expect(output).toMatch(/^Posting on the schedule "\* \* \* \* \* \*" \(UTC\); next run at \d{4}-\d\d-\d\dT/)
        expect(sandbox.telegram.messages).toHaveLength(2)
        expect(new Set(sandbox.telegram.messages.map((m) => m.caption)).size).toBe(2)
        expect(sandbox.dropbox.files.list(`${sandbox.folder}/archive`).filter((f) => f.name.endsWith(".jpg")))
          .toHaveLength(2)
      })),
    90_000
  )

  it.live(
    "publisher serve also posts on PUBLISH_SCHEDULE, with the services the server uses",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        const child = spawnCli(["serve"], {
          ...Object.fromEntries(sandbox.config),
          PORT: "0",
          web_admin_pw: "pw",
          PUBLISH_SCHEDULE: "* * * * * *"
        })
        yield* until(
          () => sandbox.dropbox.files.list(`${sandbox.folder}/archive`).some((f) => f.name.endsWith(".jpg")),
          "the scheduled post, archived"
        )
        yield* stopped(child)
        expect([sandbox.telegram.messages.length, sandbox.smtp.messages.length, sandbox.instagram.media.length])
          .toEqual([1, 1, 1])
      })),
    90_000
  )

  it.live(
    "a bad schedule is a configuration error (exit 2) naming the variable",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 0 })
        const env = Object.fromEntries(sandbox.config)
        const bad = yield* Effect.promise(() => cli(["schedule"], { ...env, PUBLISH_SCHEDULE: "every morning" }))
        expect(bad.code).toBe(2)
        expect(bad.stderr).toMatch(/invalid configuration variable PUBLISH_SCHEDULE: .*"every morning"/)
        const zone = yield* Effect.promise(() =>
          cli(["schedule"], { ...env, PUBLISH_SCHEDULE: "0 9 * * *", PUBLISH_SCHEDULE_TZ: "Mars/Olympus" })
        )
        expect(zone.code).toBe(2)
        expect(zone.stderr).toMatch(
          /invalid configuration variable PUBLISH_SCHEDULE_TZ: unknown time zone "Mars\/Olympus"/
        )
        const none = yield* Effect.promise(() => cli(["schedule"], env))
        expect(none.code).toBe(2)
        expect(none.stderr).toMatch(/PUBLISH_SCHEDULE/)
        const option = yield* Effect.promise(() => cli(["schedule", "--cron", "61 * * * *"], env))
        expect(option.code).toBe(2)
        expect(option.stderr).toMatch(/--cron: /)
        const served = yield* Effect.promise(() =>
          cli(["serve"], { ...env, PORT: "0", web_admin_pw: "pw", PUBLISH_SCHEDULE: "nope" })
        )
        expect(served.code).toBe(2)
      })),
    60_000
  )
})
