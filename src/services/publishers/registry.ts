import { Config, type ConfigError, Effect, Layer } from "effect"
import { type PlatformPublisher, Publishers } from "./Publisher.js"
import { makeTelegramPublisher } from "./TelegramPublisher.js"

/**
 * The platform table: name, its on/off variable and how to build it. Adding a platform is one
 * row here; no workflow changes.
 */
const PLATFORMS: ReadonlyArray<{
  readonly name: string
  readonly enabledVar: string
  readonly make: Effect.Effect<PlatformPublisher, ConfigError.ConfigError>
}> = [
  { name: "telegram", enabledVar: "TELEGRAM_ENABLED", make: makeTelegramPublisher }
]

/** Every enabled platform; `FEATURE_PUBLISH=false` disables them all. */
export const PublishersLive = Layer.effect(
  Publishers,
  Effect.gen(function*() {
    const publishing = yield* Config.boolean("FEATURE_PUBLISH").pipe(Config.withDefault(true))
    if (!publishing) return []
    const enabled: Array<PlatformPublisher> = []
    for (const platform of PLATFORMS) {
      const on = yield* Config.boolean(platform.enabledVar).pipe(Config.withDefault(true))
      if (on) enabled.push(yield* platform.make)
    }
    return enabled
  })
)

/** No platforms: for dry runs and previews, which must not need publishing credentials. */
export const NoPublishers = Layer.succeed(Publishers, [])
