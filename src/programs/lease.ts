import { Clock, DateTime, Duration, Effect, Schedule } from "effect"
import { hostname } from "node:os"
import { PublishingBusy, type StateError } from "../domain/Errors.js"
import { type LeaseHolder, State } from "../services/state/State.js"

/** The one lease a run takes before it chooses and publishes an image. */
export const PUBLISHING_LEASE = "publishing"

export interface LeaseTiming {
  /** How long the lease lasts without renewal (a holder that died frees it after this). */
  readonly ttl: Duration.DurationInput
  /** How often the holder renews it. */
  readonly renewEvery: Duration.DurationInput
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { ttl: "60 seconds", renewEvery: "15 seconds" }

/** True unless the process is known to be gone (`kill(pid, 0)` fails with ESRCH). */
const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH"
  }
}

const iso = (ms: number) => DateTime.formatIso(DateTime.unsafeMake(ms))

/**
 * Runs `effect` holding the publishing lease in State, so that runs that publish (cron runs,
 * `publisher retry`, the admin page's publish, in this process or another, on this machine or
 * another sharing the database) take turns: two never choose the same unposted photo at once.
 * The lease is renewed while `effect` runs and given back when it ends, however it ends. A holder
 * on this machine whose process is gone (killed) is replaced at once; elsewhere its lease frees
 * itself after `ttl`. When another live run holds it, fails with `PublishingBusy`. With `when`
 * false (a preview: no side effects), `effect` runs as it is.
 */
export const withPublishingLease =
  (runId: string, options: { readonly when?: boolean; readonly timing?: LeaseTiming } = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | PublishingBusy | StateError, R | State> => {
    if (options.when === false) return effect
    const timing = options.timing ?? DEFAULT_LEASE_TIMING
    return Effect.scoped(
      Effect.gen(function*() {
        const state = yield* State
        const ttl = Duration.toMillis(timing.ttl)
        const now = yield* Clock.currentTimeMillis
        const me: LeaseHolder = {
          owner: runId,
          host: hostname(),
          pid: process.pid,
          acquiredAt: now,
          expiresAt: now + ttl
        }
        let holder = yield* state.acquireLease(PUBLISHING_LEASE, me)
        if (holder.owner !== runId && holder.host === me.host && holder.pid !== me.pid && !processAlive(holder.pid)) {
          yield* Effect.logWarning("publishing_lease_taken_over").pipe(
            Effect.annotateLogs({ previous_owner: holder.owner, previous_pid: holder.pid })
          )
          holder = yield* state.acquireLease(PUBLISHING_LEASE, me, holder.owner)
        }
        if (holder.owner !== runId) {
          return yield* new PublishingBusy({
            message: `another run is publishing (run ${holder.owner}, pid ${holder.pid} on ${holder.host}, since ${
              iso(holder.acquiredAt)
            }); try again when it ends`,
            owner: holder.owner,
            host: holder.host,
            pid: holder.pid,
            since: iso(holder.acquiredAt)
          })
        }
        yield* Effect.addFinalizer(() => state.releaseLease(PUBLISHING_LEASE, runId).pipe(Effect.ignoreLogged))
        const renew = Clock.currentTimeMillis.pipe(
          Effect.flatMap((t) => state.renewLease(PUBLISHING_LEASE, runId, t + ttl)),
          Effect.flatMap((ours) => (ours ? Effect.void : Effect.logError("publishing_lease_lost"))),
          Effect.catchAll((error) =>
            Effect.logWarning("publishing_lease_renewal_failed").pipe(Effect.annotateLogs({ error: error.message }))
          )
        )
        yield* Effect.forkScoped(Effect.repeat(Effect.delay(renew, timing.renewEvery), Schedule.forever))
        return yield* effect
      }).pipe(Effect.withSpan("workflow.lease", { attributes: { lease: PUBLISHING_LEASE } }))
    )
  }
