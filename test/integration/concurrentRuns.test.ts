import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { inSandbox, runOnce } from "./sandboxRuns.js"

describe("concurrent runs (real SDK layers against the emulators)", () => {
  it.live("two runs started together: one posts, the other is told another run is publishing; nothing is posted twice", () =>
    inSandbox({ images: 1 }, (sandbox) =>
      Effect.gen(function*() {
        const [a, b] = yield* Effect.all([Effect.either(runOnce()), Effect.either(runOnce())], {
          concurrency: "unbounded"
        })
        const done = [a, b].filter(Either.isRight).map((r) => r.right)
        const busy = [a, b].filter(Either.isLeft).map((r) => r.left)
        expect(done.map((r) => r.image)).toEqual(["photo-001.jpg"])
        expect(busy.map((e) => e._tag)).toEqual(["PublishingBusy"])
        expect(sandbox.telegram.messages).toHaveLength(1)
        // The lease was given back: the next run answers normally.
        const next = yield* runOnce()
        expect(next.image).toBeNull()
        expect(sandbox.telegram.messages).toHaveLength(1)
      })))
})
