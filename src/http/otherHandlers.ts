import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option } from "effect"
import { enabledPlatforms } from "../services/publishers/registry.js"
import { State } from "../services/state/State.js"
import { PublisherApi } from "./Api.js"
import { Unavailable } from "./errors.js"
import { WebContext } from "./WebContext.js"

export const ConfigHandlers = HttpApiBuilder.group(PublisherApi, "config", (handlers) =>
  handlers
    .handle("publishers", () =>
      enabledPlatforms.pipe(
        Effect.map((on) => ({ telegram: on["telegram"] === true, instagram: on["instagram"] === true, email: on["email"] === true })),
        Effect.orElseSucceed(() => ({ telegram: false, instagram: false, email: false }))
      ))
    .handle("features", () =>
      WebContext.pipe(Effect.map(({ settings }) => ({
        analyze_caption_enabled: settings.features.analyze,
        publish_enabled: settings.features.publish,
        keep_enabled: settings.features.keep,
        remove_enabled: settings.features.remove,
        auto_view_enabled: settings.features.autoView,
        auth_mode: Option.isSome(settings.adminPassword) ? "password" as const : "none" as const
      }))))
)

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
      }))
)
