import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, TestClock } from "effect"
import { spawnSync } from "node:child_process"
import { hostname } from "node:os"
import { PUBLISHING_LEASE, withPublishingLease } from "../../src/programs/lease.js"
import { SqliteStateMemory } from "../../src/services/state/SqliteLive.js"
import { State } from "../../src/services/state/State.js"
import { holder } from "../support/leases.js"

/** A pid no process has now: a child that already exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!

describe("withPublishingLease", () => {
  it.effect("holds the lease while the work runs, renews it, and gives it back however the work ends", () =>
    Effect.gen(function*() {
      const state = yield* State
      const release = yield* Deferred.make<void>()
      const timing = { ttl: "60 seconds", renewEvery: "15 seconds" } as const
      const fiber = yield* Effect.fork(withPublishingLease("run-1", { timing })(Deferred.await(release)))
      yield* TestClock.adjust("1 second")
      // Without renewals the lease would expire at 60 s; renewed at 15, 30, 45 and 60 s it lasts to 120 s.
      yield* TestClock.adjust("69 seconds")
      const probe = yield* state.acquireLease(PUBLISHING_LEASE, holder("intruder", 70_000))
      expect(probe).toMatchObject({ owner: "run-1", host: hostname(), pid: process.pid })
      expect(probe.expiresAt).toBeGreaterThan(70_000)
      // Another run in this process is told who holds it.
      const busy = yield* Effect.exit(withPublishingLease("run-2", { timing })(Effect.void))
      expect(Exit.isFailure(busy) && JSON.stringify(busy.cause)).toContain("another run is publishing (run run-1")
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(fiber)
      expect((yield* state.acquireLease(PUBLISHING_LEASE, holder("next", 71_000))).owner).toBe("next")
      yield* state.releaseLease(PUBLISHING_LEASE, "next")

      // A failure, too, gives it back.
      const failed = yield* Effect.exit(withPublishingLease("run-3", { timing })(Effect.fail("boom")))
      expect(Exit.isFailure(failed)).toBe(true)
      expect((yield* state.acquireLease(PUBLISHING_LEASE, holder("after-failure", 72_000))).owner).toBe("after-failure")
    }).pipe(Effect.provide(SqliteStateMemory)))

  it.effect("a holder on this machine whose process is gone is replaced at once; a live one elsewhere is not", () =>
    Effect.gen(function*() {
      const state = yield* State
      yield* state.acquireLease(PUBLISHING_LEASE, holder("killed-run", 0, 60_000, hostname(), deadPid()))
      expect(yield* withPublishingLease("run-after-kill")(Effect.succeed("done"))).toBe("done")
      yield* state.acquireLease(PUBLISHING_LEASE, holder("remote-run", 0, 60_000, "other-machine", deadPid()))
      const busy = yield* Effect.exit(withPublishingLease("local-run")(Effect.succeed("done")))
      expect(Exit.isFailure(busy) && JSON.stringify(busy.cause)).toContain("PublishingBusy")
      // Its lease runs out 60 s after its last renewal.
      yield* TestClock.adjust("60 seconds")
      expect(yield* withPublishingLease("local-run")(Effect.succeed("done"))).toBe("done")
    }).pipe(Effect.provide(SqliteStateMemory)))

  it.effect("when: false runs the work without the lease (previews)", () =>
    Effect.gen(function*() {
      const state = yield* State
      yield* state.acquireLease(PUBLISHING_LEASE, holder("someone", 0))
      expect(yield* withPublishingLease("preview", { when: false })(Effect.succeed(1))).toBe(1)
    }).pipe(Effect.provide(SqliteStateMemory)))
})
