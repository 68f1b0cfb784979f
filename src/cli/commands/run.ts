import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { ConfigurationError, UsageError } from "../../domain/Errors.js"
import { publishOne } from "../../programs/publishOne.js"
import { FolderConfig } from "../../programs/RunOptions.js"
import { Publishers } from "../../services/publishers/Publisher.js"
import { FeaturePublishConfig } from "../../services/publishers/registry.js"
import { withCorrelationId } from "../correlation.js"
import { RunFailed } from "../failure.js"
import { appLayer } from "../layers.js"
import { describeRun, runJson } from "../output.js"

const select = Options.text("select").pipe(
  Options.withDescription("Post this file (by name), even if it was posted before"),
  Options.optional
)
const dryPublish = Options.boolean("dry-publish").pipe(
  Options.withDescription("Analyze, caption and write the sidecar; publish, archive and record nothing")
)
const preview = Options.boolean("preview").pipe(
  Options.withDescription("No side effects at all: print what would be posted")
)
/**
 * publisher_v2's `--debug` analyzed and captioned but published, wrote, archived and recorded nothing: our `--preview`.
 */
const debug = Options.boolean("debug").pipe(
  Options.withDescription("publisher_v2's --debug: the same as --preview")
)
const force = Options.boolean("force").pipe(
  Options.withDescription("With --select: post again even where an earlier run already published it")
)
const captionOption = Options.text("caption").pipe(
  Options.withDescription("With --select: post this caption as written instead of the generated one"),
  Options.optional
)
const json = Options.boolean("json").pipe(Options.withDescription("Print the result as one JSON object"))

export const runCommand = Command.make("run", {
  select,
  dryPublish,
  preview,
  debug,
  force,
  caption: captionOption,
  json
}, (options) =>
  Effect.gen(function*() {
    const args = { ...options, preview: options.preview || options.debug }
    const folders = yield* FolderConfig
    if (args.caption._tag === "Some" && args.select._tag === "None") {
      return yield* new UsageError({
        message: "--caption needs --select NAME: a written caption belongs to one chosen photo"
      })
    }
    if (args.force && args.select._tag === "None") {
      return yield* new UsageError({ message: "--force needs --select NAME: only a chosen image is ever posted twice" })
    }
    const featurePublish = yield* FeaturePublishConfig
    const dry = args.dryPublish || !featurePublish
    const publish = !dry && !args.preview
    const result = yield* withCorrelationId((correlationId) =>
      Effect.gen(function*() {
        if (publish && (yield* Publishers).length === 0) {
          return yield* new ConfigurationError({
            message:
              "no publishing platform is enabled (set TELEGRAM_BOT_TOKEN, EMAIL_SENDER or INSTAGRAM_ACCESS_TOKEN, or TELEGRAM_ENABLED / EMAIL_ENABLED / INSTAGRAM_ENABLED); or use --dry-publish"
          })
        }
        return yield* publishOne({
          correlationId,
          ...folders,
          select: args.select._tag === "Some" ? args.select.value : undefined,
          dryPublish: dry,
          preview: args.preview,
          force: args.force,
          caption: Option.getOrUndefined(args.caption)
        })
      }).pipe(
        Effect.provide(appLayer({ publish })),
        // One trace per run: building the services (state migration, ...) is part of it.
        Effect.withSpan("cli.run", {
          attributes: { correlation_id: correlationId, dry_publish: dry, preview: args.preview }
        })
      )
    )
    yield* Console.log(args.json ? runJson(result) : describeRun(result))
    if (!result.ok) return yield* new RunFailed({ message: result.message })
  })).pipe(Command.withDescription("Post one unposted image: analyze, caption, publish, archive"))
