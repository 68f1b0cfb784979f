import { Clock, Config, ConfigError, Cron, Duration, Effect, Either, Metric, Option } from "effect"
import type { RunResult } from "../domain/RunResult.js"
import { scheduledRuns } from "../services/telemetry/metrics.js"

/** A parsed posting schedule. */
export interface PublishSchedule {
  readonly cron: Cron.Cron
  readonly expression: string
  readonly timeZone: string
}

const knownTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** A cron expression in a time zone, or what is wrong with it (which of the two, in `field`). */
export const parseSchedule = (
  expression: string,
  timeZone: string
): Either.Either<PublishSchedule, { readonly field: "cron" | "timeZone"; readonly message: string }> => {
  if (!knownTimeZone(timeZone)) {
    return Either.left({
      field: "timeZone",
      message: `unknown time zone ${JSON.stringify(timeZone)} (an IANA name such as Europe/Zurich)`
    })
  }
  return Cron.parse(expression, timeZone).pipe(
    Either.mapLeft((e) => ({
      field: "cron" as const,
      message: `${e.message} in ${
        JSON.stringify(expression)
      } (5 fields: minute hour day month weekday; or 6 with seconds first)`
    })),
    Either.map((cron) => ({ cron, expression, timeZone }))
  )
}

/** `PUBLISH_SCHEDULE_TZ`: the schedule's time zone (IANA name, default UTC). */
export const ScheduleTimeZoneConfig = Config.string("PUBLISH_SCHEDULE_TZ").pipe(Config.withDefault("UTC"))

/**
 * `PUBLISH_SCHEDULE`: a cron expression (5 fields, or 6 with seconds first) at which `publisher
 * serve` and `publisher schedule` post one photo, in `PUBLISH_SCHEDULE_TZ`. Unset: no schedule.
 */
export const ScheduleConfig: Config.Config<Option.Option<PublishSchedule>> = Config.all({
  expression: Config.option(Config.string("PUBLISH_SCHEDULE")),
  timeZone: ScheduleTimeZoneConfig
}).pipe(
  Config.mapOrFail(({ expression, timeZone }) => {
    const text = Option.getOrUndefined(expression)?.trim()
    if (text === undefined || text === "") return Either.right(Option.none())
    return parseSchedule(text, timeZone).pipe(
      Either.map(Option.some),
      Either.mapLeft((e) =>
        ConfigError.InvalidData([e.field === "cron" ? "PUBLISH_SCHEDULE" : "PUBLISH_SCHEDULE_TZ"], e.message)
      )
    )
  })
)

/**
 * Runs `run` at every time `cron` matches, forever: a run that fails (or finds another run
 * publishing) is logged and the schedule goes on; a run that overruns the next time is followed
 * by the first time after it ends (runs never overlap).
 */
export const runOnSchedule = <E, R>(cron: Cron.Cron, run: Effect.Effect<RunResult, E, R>) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const next = Cron.next(cron, new Date(now)).getTime()
    yield* Effect.logInfo("schedule_next_run").pipe(Effect.annotateLogs({ next_run_at: new Date(next).toISOString() }))
    yield* Effect.sleep(Duration.millis(next - now))
    yield* run.pipe(
      Effect.tap((result) =>
        Effect.logInfo("scheduled_run").pipe(
          Effect.annotateLogs({ image: result.image ?? "none", ok: result.ok, result: result.message }),
          Effect.zipRight(
            Metric.increment(
              Metric.tagged(
                scheduledRuns,
                "outcome",
                !result.ok ? "failed" : result.image === null ? "nothing" : "posted"
              )
            )
          )
        )
      ),
      Effect.catchAllCause((cause) =>
        Effect.logWarning("scheduled_run_failed", cause).pipe(
          Effect.zipRight(Metric.increment(Metric.tagged(scheduledRuns, "outcome", "failed")))
        )
      )
    )
  }).pipe(Effect.forever)
