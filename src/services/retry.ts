import { Duration, Effect, Metric, Schedule } from "effect"
import { retries } from "./telemetry/metrics.js"

/** What every retryable error of ours carries. */
export interface RetryHint {
  readonly transient: boolean
  readonly retryAfterMs?: number | undefined
  /** The HTTP (or SMTP) status of the failure, when there was one. */
  readonly status?: number | undefined
}

/** Never wait longer than this for a server's Retry-After. */
const MAX_RETRY_AFTER = Duration.seconds(60)

/**
 * Exponential backoff with jitter, at most `times` retries, only while the error is transient;
 * a server's `Retry-After` lengthens the wait (never shortens it).
 */
export const transientSchedule = <E extends RetryHint>(times = 4) =>
  Schedule.exponential("200 millis").pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(times)),
    Schedule.zipRight(Schedule.identity<E>()),
    Schedule.whileInput((error: E) => error.transient),
    Schedule.modifyDelay((error: E, delay) =>
      error.retryAfterMs === undefined
        ? delay
        : Duration.max(delay, Duration.min(Duration.millis(error.retryAfterMs), MAX_RETRY_AFTER))
    ),
    Schedule.onDecision((_, decision) => (decision._tag === "Continue" ? Metric.increment(retries) : Effect.void))
  )

/**
 * Retries transient failures of `self` by {@link transientSchedule}, and records on the current
 * span how many retries it took (`retry_count`) and the status of a final failure (`http.status`).
 */
export const retryTransient =
  (times = 4) => <A, E extends RetryHint, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      let attempts = 0
      return Effect.suspend(() => {
        attempts++
        return self
      }).pipe(
        Effect.retry(transientSchedule<E>(times)),
        Effect.tapError((
          error
        ) => (error.status !== undefined ? Effect.annotateCurrentSpan("http.status", error.status) : Effect.void)),
        Effect.ensuring(Effect.suspend(() => Effect.annotateCurrentSpan("retry_count", Math.max(0, attempts - 1))))
      )
    })

/** Parses an HTTP `Retry-After` header (seconds or HTTP date) into milliseconds. */
export const parseRetryAfter = (value: string | null | undefined, now = Date.now()): number | undefined => {
  if (value === null || value === undefined || value.trim() === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** 429, 5xx and "no status" (network failure) are worth retrying. */
export const isTransientStatus = (status: number | undefined): boolean =>
  status === undefined || status === 429 || status === 408 || status >= 500
