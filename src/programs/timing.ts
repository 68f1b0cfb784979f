import { Duration, Effect } from "effect"
import type { Timings } from "../domain/RunResult.js"

/** Runs `effect`, recording its duration in whole milliseconds as `timings[key]`. */
export const timedInto = (timings: Timings, key: keyof Timings) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.timed(effect).pipe(
      Effect.map(([duration, value]) => {
        timings[key] = Math.round(Duration.toMillis(duration))
        return value
      })
    )
