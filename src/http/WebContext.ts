import { Context, Effect, Layer, Option } from "effect"
import { WebConfig, type WebSettings } from "./config.js"
import { makeOidcClient, type OidcClient, OidcConfig } from "./oidc.js"
import { makeLoginThrottle, makeSessions, type Sessions } from "./security.js"

/** The server's settings and its in-memory security state (sessions, login throttle). */
export class WebContext extends Context.Tag("publisher/WebContext")<WebContext, {
  readonly settings: WebSettings
  readonly folder: string
  readonly archiveFolder: string | null
  readonly maxAttempts: number
  readonly sessions: Sessions
  /** Single sign-on, when an OpenID provider is configured (discovered when the server starts). */
  readonly oidc: Option.Option<OidcClient>
  readonly throttle: Effect.Effect.Success<ReturnType<typeof makeLoginThrottle>>
}>() {}

export const makeWebContext = (
  folders: { readonly folder: string; readonly archiveFolder: string | null; readonly maxAttempts: number }
) =>
  Layer.effect(
    WebContext,
    Effect.gen(function*() {
      const settings = yield* WebConfig
      const oidcSettings = yield* OidcConfig
      const oidc = Option.isSome(oidcSettings)
        ? Option.some(yield* makeOidcClient(oidcSettings.value))
        : Option.none<OidcClient>()
      return {
        settings,
        ...folders,
        oidc,
        sessions: yield* makeSessions(settings.cookieTtlSeconds, settings.idleSeconds),
        throttle: yield* makeLoginThrottle()
      }
    })
  )
