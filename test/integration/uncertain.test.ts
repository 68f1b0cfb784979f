import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startSandbox } from "../../src/sandbox/sandbox.js"
import { cli } from "../support/cli.js"

const json = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, any>

describe("an image whose outcome is uncertain waits for a person, and blocks nothing (the real CLI against the emulators)", () => {
  it.live(
    "two photos, the first sendPhoto applied but its answer lost: the other is posted, then runs say it waits; retry lists it with its command",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 2 })
        const env = { ...Object.fromEntries(sandbox.config), INSTAGRAM_ENABLED: "false", EMAIL_ENABLED: "false" }
        sandbox.telegram.inject("sendPhoto", { dropAfter: true, times: 1 })
        const first = json((yield* Effect.promise(() => cli(["run", "--json"], env))).stdout)
        expect(first.published.telegram.status).toBe("uncertain")
        const waiting = first.image as string
        expect(sandbox.telegram.messages).toHaveLength(1) // it did go out

        const downloads = () => sandbox.dropbox.calls["files/download"] ?? 0
        const second = yield* Effect.promise(() => cli(["run", "--json"], env))
        expect(second.code).toBe(0)
        const posted = json(second.stdout)
        expect(posted.image).not.toBe(waiting)
        expect(posted.published.telegram.status).toBe("published")
        expect(posted.skipped).toEqual([expect.objectContaining({ image: waiting, code: "uncertain" })])

        for (let run = 0; run < 2; run++) {
          const before = downloads()
          const idle = yield* Effect.promise(() => cli(["run", "--json"], env))
          expect(idle.code).toBe(0)
          expect(json(idle.stdout).message).toBe("No new images; 1 image waits for a check: see publisher retry")
          expect(downloads()).toBe(before)
        }
        expect(sandbox.telegram.messages).toHaveLength(2)

        const retry = yield* Effect.promise(() => cli(["retry"], env))
        expect(retry.code).toBe(0)
        expect(retry.stdout).toContain("Nothing to retry without you: 1 image waits for a check")
        expect(retry.stdout).toContain(
          `${waiting}: uncertain on telegram: look there; if it was not posted: publisher retry --image ${waiting} --force`
        )
        const retryJson = json((yield* Effect.promise(() => cli(["retry", "--json"], env))).stdout)
        expect(retryJson).toMatchObject({
          retried: [],
          waiting: [{ image: waiting, uncertain: ["telegram"], command: `publisher retry --image ${waiting} --force` }]
        })
        expect(sandbox.telegram.messages).toHaveLength(2) // nothing was posted again
      })),
    120_000
  )

  it.live(
    "the archive move applied but its answer lost: the run still ends posted and archived, with its JSON result (exit 0)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        sandbox.dropbox.inject("files/move_batch_v2", { dropAfter: true, times: 1 })
        const run = yield* Effect.promise(() => cli(["run", "--json"], Object.fromEntries(sandbox.config)))
        expect(run.code).toBe(0)
        expect(json(run.stdout)).toMatchObject({ ok: true, archived: true })
        expect(sandbox.dropbox.files.list(`${sandbox.folder}/archive`).map((f) => f.name)).toHaveLength(2) // image and sidecar
        expect(sandbox.telegram.messages).toHaveLength(1)
      })),
    60_000
  )
})
