import { Duration, Effect, Metric } from "effect"
import type { Timings } from "../domain/RunResult.js"
import { stageDuration } from "../services/telemetry/metrics.js"

/**
 * Runs `effect`, recording its duration in whole milliseconds as `timings[key]` and in the
 * stage histogram.
 */
export const timedInto = (timings: Timings, key: keyof Timings) => {
  const histogram = stageDuration.pipe(Metric.tagged("stage", key.replace(/_ms$/, "")))
  return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.timed(effect).pipe(
      Effect.tap(([duration]) => Metric.update(histogram, Duration.toMillis(duration))),
      Effect.map(([duration, value]) => {
        timings[key] = Math.round(Duration.toMillis(duration))
        return value
      })
    )
}
