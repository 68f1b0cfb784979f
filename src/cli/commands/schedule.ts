import { Command, Options } from "@effect/cli"
import type { Config } from "effect"
import { ConfigError, Console, Cron, DateTime, Effect, Either, Option } from "effect"
import { UsageError } from "../../domain/Errors.js"
import { publishOne } from "../../programs/publishOne.js"
import { FolderConfig } from "../../programs/RunOptions.js"
import { parseSchedule, runOnSchedule, ScheduleConfig, ScheduleTimeZoneConfig } from "../../programs/schedule.js"
import { FeaturePublishConfig } from "../../services/publishers/registry.js"
import { withCorrelationId } from "../correlation.js"
import { appLayer } from "../layers.js"

/** One scheduled run: as `publisher run` (dry when FEATURE_PUBLISH=false), with its own correlation id. */
export const scheduledRun = (folders: Config.Config.Success<typeof FolderConfig>) =>
  Effect.gen(function*() {
    const publish = yield* FeaturePublishConfig
    return yield* withCorrelationId((correlationId) =>
      publishOne({ correlationId, ...folders, dryPublish: !publish, preview: false }).pipe(
        // Each scheduled run is its own trace, as a CLI run is.
        Effect.withSpan("schedule.run", { root: true, attributes: { correlation_id: correlationId } })
      )
    )
  })

const cronOption = Options.text("cron").pipe(
  Options.withDescription("Cron expression (overrides PUBLISH_SCHEDULE): 5 fields, or 6 with seconds first"),
  Options.optional
)

/** Posts one photo at every time of the schedule until stopped (Ctrl-C / SIGTERM). */
export const scheduleCommand = Command.make("schedule", { cron: cronOption }, (args) =>
  Effect.gen(function*() {
    const configured = yield* ScheduleConfig
    const timeZone = yield* ScheduleTimeZoneConfig
    const given = Option.getOrUndefined(args.cron)
    const schedule = given !== undefined
      ? yield* parseSchedule(given.trim(), timeZone).pipe(
        Either.match({
          onLeft: (e) =>
            Effect.fail(
              e.field === "cron"
                ? new UsageError({ message: `--cron: ${e.message}` })
                : ConfigError.InvalidData(["PUBLISH_SCHEDULE_TZ"], e.message)
            ),
          onRight: Effect.succeed
        })
      )
      : yield* Option.match(configured, {
        onNone: () =>
          Effect.fail(
            ConfigError.MissingData(["PUBLISH_SCHEDULE"], "no schedule: set PUBLISH_SCHEDULE or give --cron")
          ),
        onSome: Effect.succeed
      })
    const folders = yield* FolderConfig
    const next = Cron.next(schedule.cron, new Date(DateTime.toEpochMillis(yield* DateTime.now)))
    yield* Console.log(
      `Posting on the schedule "${schedule.expression}" (${schedule.timeZone}); next run at ${next.toISOString()}. Ctrl-C to stop.`
    )
    return yield* runOnSchedule(schedule.cron, scheduledRun(folders)).pipe(Effect.provide(appLayer({ publish: true })))
  })).pipe(Command.withDescription("Post one photo at every time of PUBLISH_SCHEDULE (cron), until stopped"))
