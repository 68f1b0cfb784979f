import { Context, Effect, Layer } from "effect"
import { WebConfig, type WebSettings } from "./config.js"
import { makeLoginThrottle, makeSessions, type Sessions } from "./security.js"

/** The server's settings and its in-memory security state (sessions, login throttle). */
export class WebContext extends Context.Tag("publisher/WebContext")<WebContext, {
  readonly settings: WebSettings
  readonly folder: string
  readonly archiveFolder: string | null
  readonly maxAttempts: number
  readonly sessions: Sessions
  readonly throttle: Effect.Effect.Success<ReturnType<typeof makeLoginThrottle>>
}>() {}

export const makeWebContext = (folders: { readonly folder: string; readonly archiveFolder: string | null; readonly maxAttempts: number }) =>
  Layer.effect(
    WebContext,
    Effect.gen(function*() {
      const settings = yield* WebConfig
      return {
        settings,
        ...folders,
        sessions: yield* makeSessions(settings.cookieTtlSeconds, settings.idleSeconds),
        throttle: yield* makeLoginThrottle()
      }
    })
  )
