import { Effect } from "effect"

/**
 * Runs `f` with a fresh correlation id (UUID v4) on every log line and span it makes, and
 * returns its result.
 */
export const withCorrelationId = <A, E, R>(f: (correlationId: string) => Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const correlationId = crypto.randomUUID()
    return f(correlationId).pipe(
      Effect.annotateLogs("correlation_id", correlationId),
      Effect.annotateSpans("correlation_id", correlationId)
    )
  })
