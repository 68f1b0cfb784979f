import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Exit, Layer } from "effect"
import { State } from "../../src/services/state/State.js"
import { StateLive } from "../../src/services/state/StateLive.js"
import { freshDatabaseUrl } from "../support/postgres.js"
import { inSandbox, runOnce } from "./sandboxRuns.js"

const withEnv = (env: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("State on PostgreSQL (DATABASE_URL) in the workflow", () => {
  it.live("runs record in PostgreSQL: each photo posted once, concurrent runs take turns", () =>
    Effect.promise(freshDatabaseUrl).pipe(
      Effect.flatMap((url) =>
        inSandbox({ images: 2, config: { DATABASE_URL: url } }, (sandbox) =>
          Effect.gen(function*() {
            const [a, b] = yield* Effect.all([Effect.either(runOnce()), Effect.either(runOnce())], {
              concurrency: "unbounded"
            })
            expect([a, b].filter(Either.isLeft).map((e) => e.left._tag)).toEqual(["PublishingBusy"])
            const second = yield* runOnce()
            const third = yield* runOnce()
            const posted = [...[a, b].filter(Either.isRight).map((r) => r.right.image), second.image]
            expect(posted.sort()).toEqual(["photo-001.jpg", "photo-002.jpg"])
            expect(third.image).toBeNull()
            expect(sandbox.telegram.messages).toHaveLength(2)
            // It is PostgreSQL that remembers: a State built anew from the same URL knows both.
            const posted2 = yield* State.pipe(
              Effect.flatMap((state) => state.postedContentHashes),
              Effect.provide(StateLive),
              Effect.provide(withEnv({ DATABASE_URL: url }))
            )
            expect(posted2.size).toBe(2)
          }))
      )
    ))

  it.effect(
    "a bad DATABASE_URL is a configuration error; an unreachable server a StateError without the password",
    () =>
      Effect.gen(function*() {
        const bad = yield* Effect.exit(
          State.pipe(Effect.provide(StateLive), Effect.provide(withEnv({ DATABASE_URL: "mysql://x@y/z" })))
        )
        expect(Exit.isFailure(bad) && JSON.stringify(bad.cause)).toMatch(/DATABASE_URL.*must be a PostgreSQL URL/)
        const down = yield* Effect.exit(
          State.pipe(
            Effect.provide(StateLive),
            Effect.provide(withEnv({ DATABASE_URL: "postgres://publisher:s3cret-pw@127.0.0.1:9/publisher" }))
          )
        )
        const text = Exit.isFailure(down) ? JSON.stringify(down.cause) : ""
        expect(text).toContain("StateError")
        expect(text).toContain("postgres://publisher@127.0.0.1:9/publisher")
        expect(text).not.toContain("s3cret-pw")
      }).pipe(Effect.scoped),
    30_000
  )
})
