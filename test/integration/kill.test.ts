import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startSandbox } from "../../src/sandbox/sandbox.js"
import { cli, spawnCli } from "../support/cli.js"
import { until } from "../support/wait.js"

const killed = (child: ReturnType<typeof spawnCli>) =>
  Effect.promise(() =>
    new Promise<void>((resolve) => {
      child.once("exit", () => resolve())
      child.kill("SIGKILL")
    })
  )

describe("a real process killed mid-run (SIGKILL), then run again", () => {
  it.live(
    "killed between publishing and archiving: the rerun archives and posts nothing twice",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        // The first archive call hangs: the process is killed while waiting for it.
        sandbox.dropbox.inject("files/move_batch_v2", { latencyMs: 60_000, times: 1 })
        const env = Object.fromEntries(sandbox.config)
        const child = spawnCli(["run"], env)
        yield* until(() => (sandbox.dropbox.calls["files/move_batch_v2"] ?? 0) > 0, "the archive call")
        yield* killed(child)
        expect([sandbox.telegram.messages.length, sandbox.smtp.messages.length, sandbox.instagram.media.length])
          .toEqual([1, 1, 1])

        const rerun = yield* Effect.promise(() => cli(["run", "--json"], env))
        expect(rerun.code).toBe(0)
        expect(JSON.parse(rerun.stdout)).toMatchObject({ resumed: true, archived: true })
        expect(
          sandbox.dropbox.files.list(`${sandbox.folder}/archive`).map((f) => f.name).filter((n) => n.endsWith(".jpg"))
        ).toHaveLength(1)
        expect([sandbox.telegram.messages.length, sandbox.smtp.messages.length, sandbox.instagram.media.length])
          .toEqual([1, 1, 1])
      })),
    120_000
  )

  it.live(
    "a second run while the first is publishing exits 75 and does nothing; once the first is killed, a run takes over",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 2 })
        sandbox.dropbox.inject("files/move_batch_v2", { latencyMs: 60_000, times: 1 })
        const env = Object.fromEntries(sandbox.config)
        const child = spawnCli(["run"], env)
        yield* until(() => (sandbox.dropbox.calls["files/move_batch_v2"] ?? 0) > 0, "the archive call")
        const downloads = sandbox.dropbox.calls["files/download"]

        const second = yield* Effect.promise(() => cli(["run", "--json"], env))
        expect(second.code).toBe(75)
        expect(second.stderr).toMatch(/another run is publishing \(run [0-9a-f-]+, pid \d+ on /)
        expect(second.stdout).toBe("")
        expect(sandbox.dropbox.calls["files/download"]).toBe(downloads) // it chose nothing
        expect(sandbox.telegram.messages).toHaveLength(1)

        yield* killed(child)
        // The holder's process is gone: the next run does not wait for the lease to expire.
        const rerun = yield* Effect.promise(() => cli(["run", "--json"], env))
        expect(rerun.code).toBe(0)
        expect(JSON.parse(rerun.stdout)).toMatchObject({ resumed: true, archived: true })
        expect(sandbox.telegram.messages).toHaveLength(1)
      })),
    120_000
  )

  it.live(
    "killed while Telegram is being called: the rerun does not post to Telegram blindly",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        // The first sendPhoto hangs: the process is killed while waiting for it.
        sandbox.telegram.inject("sendPhoto", { latencyMs: 60_000, times: 1 })
        const env = Object.fromEntries(sandbox.config)
        const child = spawnCli(["run"], env)
        yield* until(() =>
          (sandbox.telegram.calls["sendPhoto"] ?? 0) > 0 && sandbox.smtp.messages.length > 0 &&
          sandbox.instagram.media.length > 0, "the platform calls")
        yield* killed(child)

        const rerun = yield* Effect.promise(() => cli(["run", "--json"], env))
        expect(
          rerun.stderr.split("\n").filter((l) => /"level":"(ERROR|FATAL)"/.test(l))
        ).toEqual([])
        expect(rerun.code).toBe(0)
        const result = JSON.parse(rerun.stdout) as {
          image: string | null
          published: Record<string, { status: string }>
          skipped: Array<{ reason: string }>
        }
        // The image is not finished (Telegram uncertain) and is not posted anywhere again.
        expect(sandbox.telegram.calls["sendPhoto"]).toBe(1)
        expect(sandbox.smtp.messages).toHaveLength(1)
        expect(sandbox.instagram.media).toHaveLength(1)
        expect(result.image).toBeNull()
        expect(result.skipped[0]?.reason).toMatch(/uncertain on telegram/)
      })),
    120_000
  )
})
