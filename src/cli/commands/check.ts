import { Command, Options } from "@effect/cli"
import { Cause, Config, Console, Cron, Data, Duration, Effect, Layer, Option, type Scope } from "effect"
import type { CheckResult } from "../../domain/Check.js"
import { WebConfig } from "../../http/config.js"
import { OidcConfig } from "../../http/oidc.js"
import { Operations } from "../../http/Operations.js"
import { FolderConfig } from "../../programs/RunOptions.js"
import { ScheduleConfig } from "../../programs/schedule.js"
import { Ai } from "../../services/ai/Ai.js"
import { AiLive } from "../../services/ai/OpenAiLive.js"
import { NearDuplicateConfig } from "../../services/dedup/config.js"
import { enabledPlatforms, FeaturePublishConfig, PLATFORMS } from "../../services/publishers/registry.js"
import { StateDbConfig } from "../../services/state/config.js"
import { DatabaseUrlConfig } from "../../services/state/PgLive.js"
import { State } from "../../services/state/State.js"
import { StateLive } from "../../services/state/StateLive.js"
import { Storage } from "../../services/storage/Storage.js"
import { explainFailure, RunFailed } from "../failure.js"
import { StorageKindConfig, StorageLive } from "../layers.js"

const json = Options.boolean("json").pipe(Options.withDescription("Print the results as one JSON object"))

/** One check: its own layers, its own failure (a configuration error included), its duration. */
/** `CHECK_TIMEOUT_SECONDS` (default 10): how long one service may take to answer a check. */
export const CheckTimeoutConfig = Config.integer("CHECK_TIMEOUT_SECONDS").pipe(
  Config.validate({ message: "must be between 1 and 600", validation: (n) => n >= 1 && n <= 600 }),
  Config.withDefault(10)
)

class CheckTimeoutError extends Data.TaggedError("CheckTimeoutError")<{ readonly message: string }> {}

const check = <E>(
  name: string,
  effect: Effect.Effect<string, E, Scope.Scope>,
  timeoutSeconds: number
): Effect.Effect<CheckResult> =>
  effect.pipe(
    Effect.scoped,
    Effect.timeoutFail({
      duration: Duration.seconds(timeoutSeconds),
      onTimeout: () =>
        new CheckTimeoutError({ message: `no answer within ${timeoutSeconds} s (CHECK_TIMEOUT_SECONDS)` })
    }),
    Effect.timed,
    Effect.map(([elapsed, detail]): CheckResult => ({
      name,
      status: "ok",
      detail,
      ms: Math.round(Duration.toMillis(elapsed))
    })),
    Effect.catchAllCause((cause) =>
      Effect.succeed<CheckResult>({
        name,
        status: "failed",
        // The failure's own words, without the CLI's "error: " and the error's tag.
        detail: explainFailure(cause as Cause.Cause<unknown>).lines.map((l) =>
          l.replace(/^error: /, "").replace(/^[A-Z]\w*Error: /, "")
        ).join("; ") ||
          Cause.pretty(cause),
        ms: 0
      })
    ),
    Effect.withSpan(`check.${name}`)
  )

const stateCheck = Effect.gen(function*() {
  const pg = yield* DatabaseUrlConfig
  const where = Option.isSome(pg) ? `PostgreSQL ${pg.value.label}` : `SQLite ${yield* StateDbConfig}`
  const state = yield* State
  return `${where}: ${(yield* state.postedContentHashes).size} images posted`
}).pipe(Effect.provide(StateLive))

const storageCheck = Effect.gen(function*() {
  const { folder } = yield* FolderConfig
  const kind = yield* StorageKindConfig
  const images = yield* (yield* Storage).listImages(folder)
  return `${kind} ${folder}: ${images.length} images`
}).pipe(Effect.provide(StorageLive))

const aiCheck = Effect.flatMap(Ai, (ai) => ai.check).pipe(Effect.provide(AiLive))

/** Each enabled platform proves it could post; a disabled one says how to turn it on. */
const platformChecks = (timeout: number) =>
  Effect.gen(function*() {
    const on = yield* enabledPlatforms
    const publishing = yield* FeaturePublishConfig
    return PLATFORMS.map((platform) =>
      on[platform.name]
        ? check(platform.name, platform.make.pipe(Effect.flatMap((p) => p.check), Effect.provide(StorageLive)), timeout)
        : Effect.succeed<CheckResult>({
          name: platform.name,
          status: "off",
          detail: publishing
            ? `set ${platform.keyVar} (or ${platform.enabledVar}=true) to publish here`
            : "FEATURE_PUBLISH=false: nothing is published",
          ms: 0
        })
    )
  })

/** What run, schedule and serve would refuse before touching a service: every setting they read. */
const settingsCheck = Effect.all([FolderConfig, NearDuplicateConfig, ScheduleConfig, WebConfig, OidcConfig]).pipe(
  Effect.as("every setting run, schedule and serve read is valid")
)

/** Every external service, as the runs will use it, without posting anything; each bounded by CHECK_TIMEOUT_SECONDS. */
export const runChecks: Effect.Effect<ReadonlyArray<CheckResult>> = Effect.gen(function*() {
  const timeout = yield* CheckTimeoutConfig.pipe(Effect.orElseSucceed(() => 10))
  const platforms = yield* platformChecks(timeout).pipe(
    Effect.catchAllCause((cause) =>
      Effect.succeed([
        Effect.succeed<CheckResult>({
          name: "platforms",
          status: "failed",
          detail: explainFailure(cause).lines.join("; "),
          ms: 0
        })
      ])
    )
  )
  return yield* Effect.all([
    check("state", stateCheck, timeout),
    check("storage", storageCheck, timeout),
    check("openai", aiCheck, timeout),
    ...platforms,
    check("settings", Effect.zipRight(CheckTimeoutConfig, settingsCheck), timeout)
  ], { concurrency: "unbounded" })
})

/** The admin API's view of the checks and of the schedule `publisher serve` runs. */
export const OperationsLive = Layer.effect(
  Operations,
  ScheduleConfig.pipe(Effect.map((schedule) =>
    Operations.of({
      checks: runChecks,
      schedule: Option.match(schedule, {
        onNone: () => undefined,
        onSome: (s) => ({ expression: s.expression, timeZone: s.timeZone, next: (now: Date) => Cron.next(s.cron, now) })
      })
    })
  ))
)

export const checkCommand = Command.make("check", { json }, (args) =>
  Effect.gen(function*() {
    // One trace for the whole check, a span per service.
    const results = yield* runChecks.pipe(Effect.withSpan("cli.check"))
    const failed = results.filter((r) => r.status === "failed")
    if (args.json) {
      yield* Console.log(JSON.stringify({ ok: failed.length === 0, checks: results }))
    } else {
      const width = Math.max(...results.map((r) => r.name.length))
      for (const r of results) {
        yield* Console.log(
          `${r.name.padEnd(width)}  ${
            r.status === "ok" ? "ok    " : r.status === "off" ? "off   " : "FAILED"
          }  ${r.detail}${r.status === "ok" ? ` (${r.ms} ms)` : ""}`
        )
      }
    }
    if (failed.length > 0) {
      return yield* new RunFailed({
        message: `${failed.length} check(s) failed: ${failed.map((r) => r.name).join(", ")}`
      })
    }
  })).pipe(
    Command.withDescription(
      "Check every service with the current configuration (State, storage, OpenAI, each platform) without posting anything"
    )
  )
