import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Option, Ref } from "effect"
import type { OidcClient, OidcLogin } from "./oidc.js"
import { clientOf, cookieValue, endSessionCookie, sessionCookieName, setSessionCookie } from "./security.js"
import { WebContext } from "./WebContext.js"

/** The login in progress, between `/auth/login` and `/auth/callback`: its state names it. */
const FLOW_COOKIE = "publisher_oidc"
const FLOW_SECONDS = 600

/** Where the page is (after a login, a logout or a refused callback). */
const home = (query = "") => HttpServerResponse.empty({ status: 302, headers: { location: `/${query}` } })

/**
 * publisher_v2's `/auth/login`, `/auth/callback` and `/auth/logout`, with any OpenID Connect
 * provider: authorization code with PKCE; `state` ties the callback to this browser (a cookie)
 * and to one pending login here (used once); the ID token is verified by openid-client. A
 * listed email gets the same admin session a password login gets.
 */
export const AuthRoutesLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const web = yield* WebContext
    const pending = yield* Ref.make(new Map<string, Omit<OidcLogin, "url"> & { readonly at: number }>())
    const cookieOptions = {
      httpOnly: true,
      // Lax: the provider's redirect back is a cross-site navigation, which a Strict cookie would miss.
      sameSite: "lax" as const,
      secure: web.settings.secureCookies,
      path: "/auth"
    }
    const notConfigured = HttpServerResponse.unsafeJson(
      {
        error: "Single sign-on is not configured",
        detail: "set OIDC_ISSUER (or AUTH0_DOMAIN) and its client settings"
      },
      { status: 404 }
    )
    const withOidc = (
      f: (
        oidc: OidcClient
      ) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
    ) => Option.match(web.oidc, { onNone: () => Effect.succeed(notConfigured), onSome: f })

    yield* router.get(
      "/auth/login",
      withOidc((oidc) =>
        Effect.gen(function*() {
          const login = yield* oidc.begin
          const now = yield* Clock.currentTimeMillis
          yield* Ref.update(pending, (m) => {
            const next = new Map([...m].filter(([, p]) => p.at > now - FLOW_SECONDS * 1000))
            return next.set(login.state, {
              state: login.state,
              nonce: login.nonce,
              codeVerifier: login.codeVerifier,
              at: now
            })
          })
          return yield* HttpServerResponse.empty({ status: 302, headers: { location: login.url } }).pipe(
            HttpServerResponse.setCookie(FLOW_COOKIE, login.state, {
              ...cookieOptions,
              maxAge: `${FLOW_SECONDS} seconds`
            }),
            Effect.orDie
          )
        })
      )
    )

    yield* router.get(
      "/auth/callback",
      withOidc((oidc) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const client = clientOf(request, web.settings.trustedProxies)
          const flowState = cookieValue(request, FLOW_COOKIE)
          const now = yield* Clock.currentTimeMillis
          // Used once: a replayed or second callback finds nothing.
          const expected = yield* Ref.modify(pending, (m) => {
            const found = Option.flatMap(flowState, (s) => Option.fromNullable(m.get(s)))
            const next = new Map(m)
            if (Option.isSome(flowState)) next.delete(flowState.value)
            return [Option.filter(found, (p) => p.at > now - FLOW_SECONDS * 1000), next] as const
          })
          const clearFlow = HttpServerResponse.expireCookie(FLOW_COOKIE, cookieOptions)
          if (Option.isNone(expected)) {
            yield* Effect.logWarning("web_admin_login_failed").pipe(
              Effect.annotateLogs({ client, method: "oidc", reason: "no_login_in_progress" })
            )
            return yield* home("?login_error=expired").pipe(clearFlow, Effect.orDie)
          }
          // Only its query is read: the code is exchanged with the registered redirect URL.
          const callbackUrl = new URL(request.url, "http://callback.invalid")
          const result = yield* Effect.either(oidc.finish(callbackUrl, expected.value))
          if (result._tag === "Left") {
            yield* Effect.logWarning("web_admin_login_failed").pipe(
              Effect.annotateLogs({ client, method: "oidc", reason: result.left.reason, error: result.left.message })
            )
            return yield* home(`?login_error=${result.left.reason}`).pipe(clearFlow, Effect.orDie)
          }
          const session = yield* web.sessions.create
          yield* Effect.logInfo("web_admin_login").pipe(
            Effect.annotateLogs({ client, method: "oidc", email: result.right.email })
          )
          return yield* home().pipe(clearFlow, Effect.orDie, Effect.flatMap(setSessionCookie(web.settings, session)))
        })
      )
    )

    yield* router.get(
      "/auth/logout",
      withOidc((oidc) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const name = sessionCookieName(web.settings)
          const session = cookieValue(request, name)
          if (Option.isSome(session)) yield* web.sessions.remove(session.value)
          const back = Option.match(web.settings.publicUrl, { onNone: () => "/", onSome: (u) => new URL("/", u).href })
          // The provider's session ends too, where it offers RP-initiated logout.
          const location = Option.getOrElse(oidc.logoutUrl(back), () => "/")
          return yield* endSessionCookie(web.settings)(HttpServerResponse.empty({ status: 302, headers: { location } }))
        })
      )
    )
  })
)
