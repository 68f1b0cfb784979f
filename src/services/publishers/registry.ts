import { Config, type ConfigError, Effect, Layer, Option, type Scope } from "effect"
import { formatCaption } from "../../domain/Caption.js"
import type { PlatformCaption } from "../../domain/RunResult.js"
import type { Storage } from "../storage/Storage.js"
import { emailLayout, EmailLayoutConfig, makeEmailPublisher } from "./EmailPublisher.js"
import { makeInstagramPublisher } from "./InstagramPublisher.js"
import { type PlatformPublisher, Publishers } from "./Publisher.js"
import { makeTelegramPublisher } from "./TelegramPublisher.js"

/**
 * The platform table: name, its on/off variable and how to build it. Adding a platform is one
 * row here; no workflow changes.
 */
export const PLATFORMS: ReadonlyArray<{
  readonly name: string
  readonly enabledVar: string
  /** Without an explicit switch, the platform is on when this variable is set. */
  readonly keyVar: string
  readonly make: Effect.Effect<PlatformPublisher, ConfigError.ConfigError, Scope.Scope | Storage>
  /** What the platform would get for `caption` (no credentials needed: previews). */
  readonly render: (caption: string) => Effect.Effect<PlatformCaption, ConfigError.ConfigError>
}> = [
  {
    name: "telegram",
    enabledVar: "TELEGRAM_ENABLED",
    keyVar: "TELEGRAM_BOT_TOKEN",
    make: makeTelegramPublisher,
    render: (caption) => Effect.succeed({ caption: formatCaption("telegram", caption) })
  },
  {
    name: "instagram",
    enabledVar: "INSTAGRAM_ENABLED",
    keyVar: "INSTAGRAM_ACCESS_TOKEN",
    make: makeInstagramPublisher,
    render: (caption) => Effect.succeed({ caption: formatCaption("instagram", caption) })
  },
  {
    name: "email",
    enabledVar: "EMAIL_ENABLED",
    keyVar: "EMAIL_SENDER",
    make: makeEmailPublisher,
    render: (caption) =>
      EmailLayoutConfig.pipe(Effect.map((layout) => {
        const { body, subject } = emailLayout(formatCaption("email", caption), layout)
        return { caption: body, subject }
      }))
  }
]

/** What every enabled platform would get for `caption`, by its own rules. */
export const renderForPlatforms = (caption: string) =>
  Effect.gen(function*() {
    const on = yield* enabledPlatforms
    const out: Record<string, PlatformCaption> = {}
    for (const platform of PLATFORMS) {
      if (on[platform.name]) out[platform.name] = yield* platform.render(caption)
    }
    return out
  })

/** `FEATURE_PUBLISH` (default true): false publishes nothing (runs are dry). */
export const FeaturePublishConfig = Config.boolean("FEATURE_PUBLISH").pipe(Config.withDefault(true))

/** Whether each platform is enabled, by the same rules as {@link PublishersLive}. */
export const enabledPlatforms = Effect.gen(function*() {
  const publishing = yield* FeaturePublishConfig
  const out: Record<string, boolean> = {}
  for (const platform of PLATFORMS) {
    const explicit = yield* Config.option(Config.boolean(platform.enabledVar))
    out[platform.name] = publishing &&
      (Option.isSome(explicit) ? explicit.value : Option.isSome(yield* Config.option(Config.string(platform.keyVar))))
  }
  return out
})

/**
 * Every enabled platform: `<PLATFORM>_ENABLED` when set, otherwise on when the platform's key
 * variable is set. `FEATURE_PUBLISH=false` disables them all.
 */
export const PublishersLive = Layer.scoped(
  Publishers,
  Effect.gen(function*() {
    const on = yield* enabledPlatforms
    const enabled: Array<PlatformPublisher> = []
    for (const platform of PLATFORMS) {
      if (on[platform.name]) enabled.push(yield* platform.make)
    }
    return enabled
  })
)

/** No platforms: for dry runs and previews, which must not need publishing credentials. */
export const NoPublishers = Layer.succeed(Publishers, [])
