import { HttpApiBuilder } from "@effect/platform"
import { Effect, Either, Option } from "effect"
import { checkCaptionExamples } from "../domain/CaptionExamples.js"
import { CAPTION_EXAMPLES_SETTING, captionExamplesSetting } from "../programs/prepare.js"
import { CaptionExamplesConfig } from "../services/ai/config.js"
import { enabledPlatforms } from "../services/publishers/registry.js"
import { State } from "../services/state/State.js"
import { PublisherApi } from "./Api.js"
import { BadRequest, ServerError, Unavailable } from "./errors.js"
import { WebContext } from "./WebContext.js"

const serverError = (e: { readonly message: string }) => new ServerError({ error: "Internal error", detail: e.message })

/** The examples in use: set from this API (State), else CAPTION_EXAMPLES. */
const currentVoiceProfile = Effect.gen(function*() {
  const stored = yield* captionExamplesSetting
  const examples = stored ?? (yield* CaptionExamplesConfig)
  return { voice_profile: examples.length > 0 ? examples : null, enabled: examples.length > 0 }
})

export const ConfigHandlers = HttpApiBuilder.group(PublisherApi, "config", (handlers) =>
  handlers
    .handle("publishers", () =>
      enabledPlatforms.pipe(
        Effect.map((on) => ({
          telegram: on["telegram"] === true,
          instagram: on["instagram"] === true,
          email: on["email"] === true
        })),
        Effect.orElseSucceed(() => ({ telegram: false, instagram: false, email: false }))
      ))
    .handle("features", () =>
      WebContext.pipe(Effect.map(({ oidc, settings }) => ({
        analyze_caption_enabled: settings.features.analyze,
        publish_enabled: settings.features.publish,
        keep_enabled: settings.features.keep,
        remove_enabled: settings.features.remove,
        auto_view_enabled: settings.features.autoView,
        auth_mode: Option.isSome(oidc)
          ? "oidc" as const
          : Option.isSome(settings.adminPassword)
          ? "password" as const
          : "none" as const,
        password_login_enabled: Option.isSome(settings.adminPassword)
      }))))
    .handle("getVoiceProfile", () =>
      currentVoiceProfile.pipe(Effect.mapError((e) =>
        serverError({ message: "message" in e ? String(e.message) : String(e) })
      )))
    .handle("setVoiceProfile", ({ payload }) =>
      Effect.gen(function*() {
        const examples = yield* Either.match(checkCaptionExamples(payload.voice_profile), {
          onLeft: (message) =>
            Effect.fail(new BadRequest({ error: "Invalid voice_profile", detail: `voice_profile ${message}` })),
          onRight: Effect.succeed
        })
        // Kept in State: every process (cron runs, other servers) uses it from now on.
        yield* (yield* State).setSetting(CAPTION_EXAMPLES_SETTING, JSON.stringify(examples)).pipe(
          Effect.mapError(serverError)
        )
        yield* Effect.logInfo("web_voice_profile_set").pipe(Effect.annotateLogs({ examples: examples.length }))
        return { voice_profile: examples.length > 0 ? examples : null, enabled: examples.length > 0 }
      })))

export const HealthHandlers = HttpApiBuilder.group(PublisherApi, "health", (handlers) =>
  handlers
    .handle("live", () => Effect.succeed({ status: "ok" }))
    .handle("health", () => Effect.succeed({ status: "ok" }))
    // Ready: State answers, and Storage was configured (its layer built). No AI call.
    .handle("ready", () =>
      Effect.gen(function*() {
        const state = yield* State
        yield* state.ping.pipe(Effect.mapError(() => new Unavailable({ error: "not ready", detail: "state database" })))
        return { status: "ok", checks: { state: "ok", storage: "configured" } }
      })))
