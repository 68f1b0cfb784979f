import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { makeOidcClient, type OidcClient, OidcConfig, type OidcSettings } from "../../src/http/oidc.js"
import { startOidcProvider, type TestProvider } from "../support/oidcProvider.js"

const readConfig = (env: Record<string, string>) =>
  OidcConfig.pipe(Effect.either, Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))

const settingsFor = (provider: TestProvider, extra: Record<string, string> = {}) =>
  readConfig({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_REDIRECT_URL: provider.redirectUrl,
    OIDC_ALLOWED_EMAILS: " admin@EXAMPLE.com, other@example.com ",
    ...extra
  }).pipe(Effect.map((r) => Option.getOrThrow(Either.getOrThrow(r))))

const failureOf = <E>(effect: Effect.Effect<unknown, E>) => Effect.flip(effect)

describe("OpenID Connect login against a real provider (oidc-provider on 127.0.0.1)", () => {
  let provider: TestProvider
  let oidc: OidcClient
  let settings: OidcSettings

  beforeAll(async () => {
    provider = await startOidcProvider({ idTokenClaimsInIdToken: true })
    settings = await Effect.runPromise(settingsFor(provider))
    oidc = await Effect.runPromise(makeOidcClient(settings))
  })
  afterAll(() => provider?.close())
  beforeEach(() => {
    provider.loginAs = "admin"
    provider.tokenClockOffsetSeconds = 0
  })

  const signIn = Effect.gen(function*() {
    const login = yield* oidc.begin
    const callback = yield* Effect.promise(() => provider.login(login.url))
    return { login, callback }
  })

  it.live("a listed admin signs in: code flow with PKCE, the verified email from the ID token", () =>
    Effect.gen(function*() {
      const { login, callback } = yield* signIn
      const url = new URL(login.url)
      expect(url.searchParams.get("code_challenge_method")).toBe("S256")
      expect(url.searchParams.get("scope")).toBe("openid email profile")
      expect(url.searchParams.get("state")).toBe(login.state)
      expect(url.searchParams.get("nonce")).toBe(login.nonce)
      expect(url.searchParams.has("audience")).toBe(false)
      expect(login.url).not.toContain(login.codeVerifier)
      expect(yield* oidc.finish(callback, login)).toEqual({ email: "admin@example.com", subject: "admin" })
      expect(provider.requests.get("/me")).toBeUndefined()
    }))

  it.live("a callback with another state is refused before any code exchange", () =>
    Effect.gen(function*() {
      const { login, callback } = yield* signIn
      const before = provider.requests.get("/token")
      const error = yield* failureOf(oidc.finish(callback, { ...login, state: "someone-elses-state" }))
      expect(error).toMatchObject({ _tag: "OidcLoginError", reason: "state_mismatch" })
      expect(provider.requests.get("/token")).toBe(before)
      // The code was not spent: the right state still signs in.
      expect((yield* oidc.finish(callback, login)).email).toBe("admin@example.com")
    }))

  it.live("a replayed callback (the same code twice) is refused", () =>
    Effect.gen(function*() {
      const { login, callback } = yield* signIn
      yield* oidc.finish(callback, login)
      const error = yield* failureOf(oidc.finish(callback, login))
      expect(error.reason).toBe("exchange_failed")
      expect(error.message).toContain("invalid_grant")
    }))

  it.live("an email not on the allow list, or not verified, is refused", () =>
    Effect.gen(function*() {
      provider.loginAs = "stranger"
      const stranger = yield* signIn
      const refused = yield* failureOf(oidc.finish(stranger.callback, stranger.login))
      expect(refused).toMatchObject({ reason: "email_not_allowed" })
      expect(refused.message).toContain("stranger@example.com")

      provider.loginAs = "unverified"
      const unverified = yield* signIn
      expect((yield* failureOf(oidc.finish(unverified.callback, unverified.login))).reason).toBe("no_email")
    }))

  it.live("an expired ID token is refused (the provider's clock ten minutes behind while it issues it)", () =>
    Effect.gen(function*() {
      const { login, callback } = yield* signIn
      provider.tokenClockOffsetSeconds = -600
      const error = yield* failureOf(oidc.finish(callback, login))
      expect(error.reason).toBe("invalid_token")
      expect(error.message).toMatch(/"exp" \(expiration time\) claim value, expiration is past/)
    }))

  it.live("an ID token for another nonce is refused", () =>
    Effect.gen(function*() {
      const { login, callback } = yield* signIn
      expect((yield* failureOf(oidc.finish(callback, { ...login, nonce: "another-nonce" }))).reason).toBe(
        "invalid_token"
      )
    }))

  it.live("a wrong client secret is told as such (the code exchange refused)", () =>
    Effect.gen(function*() {
      const wrong = yield* makeOidcClient({ ...settings, clientSecret: Option.some(Redacted.make("wrong-secret")) })
      const login = yield* wrong.begin
      const callback = yield* Effect.promise(() => provider.login(login.url))
      const error = yield* failureOf(wrong.finish(callback, login))
      expect(error.reason).toBe("exchange_failed")
      expect(error.message).toContain("invalid_client (HTTP 401); check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
      expect(error.message).not.toContain("wrong-secret")
    }))

  it.live("the provider's error answer (access_denied) is told as such", () =>
    Effect.gen(function*() {
      const login = yield* oidc.begin
      const callback = new URL(
        `${provider.redirectUrl}?error=access_denied&error_description=User+cancelled&state=${login.state}`
      )
      const error = yield* failureOf(oidc.finish(callback, login))
      expect(error).toMatchObject({ reason: "provider_error" })
      expect(error.message).toContain("access_denied (User cancelled)")
    }))

  it.live("logout goes through the provider's end_session_endpoint", () =>
    Effect.sync(() => {
      const url = new URL(Option.getOrThrow(oidc.logoutUrl("http://127.0.0.1:1/")))
      expect(url.origin + url.pathname).toBe(`${provider.issuer}/session/end`)
      expect(url.searchParams.get("post_logout_redirect_uri")).toBe("http://127.0.0.1:1/")
      expect(url.searchParams.get("client_id")).toBe(provider.clientId)
    }))

  it.live("the audience is sent when configured", () =>
    Effect.gen(function*() {
      const withAudience = yield* makeOidcClient({ ...settings, audience: Option.some("https://api.example.com") })
      const login = yield* withAudience.begin
      expect(new URL(login.url).searchParams.get("audience")).toBe("https://api.example.com")
    }))
})

describe("OpenID Connect login against a provider that conforms strictly (email from userinfo)", () => {
  it.live("the email comes from userinfo when the ID token has none", () =>
    Effect.gen(function*() {
      const provider = yield* Effect.acquireRelease(
        Effect.promise(() => startOidcProvider({ idTokenClaimsInIdToken: false })),
        (p) => Effect.promise(p.close)
      )
      const oidc = yield* makeOidcClient(yield* settingsFor(provider))
      const login = yield* oidc.begin
      const callback = yield* Effect.promise(() => provider.login(login.url))
      expect(yield* oidc.finish(callback, login)).toEqual({ email: "admin@example.com", subject: "admin" })
      expect(provider.requests.get("/me")).toBe(1)
    }).pipe(Effect.scoped))
})

describe("discovery", () => {
  const base: Omit<OidcSettings, "issuer"> = {
    clientId: "c",
    clientSecret: Option.some(Redacted.make("s")),
    tokenAuthMethod: "client_secret_basic",
    redirectUrl: new URL("http://127.0.0.1:1/cb"),
    allowedEmails: new Set(["a@example.com"]),
    audience: Option.none()
  }
  const listening = (server: Server) =>
    Effect.acquireRelease(
      Effect.promise(() =>
        new Promise<number>((resolve) =>
          server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))
        )
      ),
      () =>
        Effect.promise(() =>
          new Promise<void>((resolve) => {
            server.closeAllConnections()
            server.close(() => resolve())
          })
        )
    )

  it.live("a provider that is not there, or does not answer in time, is named", () =>
    Effect.gen(function*() {
      // A port that was free a moment ago: nothing listens there.
      const closed = yield* Effect.scoped(listening(createServer()))
      const silent = yield* listening(createServer(() => {/* never answers */}))
      const refused = yield* failureOf(makeOidcClient({ ...base, issuer: new URL(`http://127.0.0.1:${closed}/`) }))
      expect(refused._tag).toBe("OidcError")
      expect(refused.message).toContain(`OpenID provider http://127.0.0.1:${closed}/ did not answer discovery`)
      const slow = yield* failureOf(
        makeOidcClient({ ...base, issuer: new URL(`http://127.0.0.1:${silent}/`) }, { timeout: "200 millis" })
      )
      expect(slow.message).toContain("no answer within 0.2 s")
    }).pipe(Effect.scoped))

  it.live("a discovery document naming another issuer is refused", () =>
    Effect.gen(function*() {
      const port = yield* listening(createServer((_req, res) => {
        res.setHeader("content-type", "application/json")
        res.end(
          JSON.stringify({
            issuer: "https://elsewhere.example.com/",
            authorization_endpoint: "https://elsewhere.example.com/authorize"
          })
        )
      }))
      const error = yield* failureOf(makeOidcClient({ ...base, issuer: new URL(`http://127.0.0.1:${port}/`) }))
      expect(error.message).toContain(
        "names another issuer in its discovery document: set OIDC_ISSUER to exactly the provider's issuer"
      )
    }).pipe(Effect.scoped))

  it.live("http is refused for an issuer off loopback, before any request", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(makeOidcClient({ ...base, issuer: new URL("http://login.example.com/") }))
      expect(error.message).toContain("must be reached over https")
    }))
})

describe("OidcConfig", () => {
  it.effect("nothing configured: None", () =>
    Effect.gen(function*() {
      expect(yield* readConfig({})).toEqual(Either.right(Option.none()))
    }))

  it.effect("publisher_v2's Auth0 names are read as they are", () =>
    Effect.gen(function*() {
      const settings = Option.getOrThrow(Either.getOrThrow(
        yield* readConfig({
          AUTH0_DOMAIN: "tenant.eu.auth0.com",
          AUTH0_CLIENT_ID: "auth0-client",
          AUTH0_CLIENT_SECRET: "auth0-secret-0123456789",
          AUTH0_CALLBACK_URL: "https://publisher.example.com/auth/callback",
          AUTH0_AUDIENCE: "https://api.example.com",
          ADMIN_LOGIN_EMAILS: "Boss@Example.com,ops@example.com"
        })
      ))
      expect(settings.issuer.href).toBe("https://tenant.eu.auth0.com/")
      expect(settings.clientId).toBe("auth0-client")
      expect(Redacted.isRedacted(Option.getOrThrow(settings.clientSecret))).toBe(true)
      expect(String(Option.getOrThrow(settings.clientSecret))).not.toContain("auth0-secret")
      expect(settings.tokenAuthMethod).toBe("client_secret_post")
      expect(settings.redirectUrl.href).toBe("https://publisher.example.com/auth/callback")
      expect(settings.audience).toEqual(Option.some("https://api.example.com"))
      expect([...settings.allowedEmails]).toEqual(["boss@example.com", "ops@example.com"])

      const withScheme = yield* readConfig({
        AUTH0_DOMAIN: "https://tenant.auth0.com",
        AUTH0_CLIENT_ID: "c",
        AUTH0_CALLBACK_URL: "https://p.example.com/cb",
        AUTH0_ADMIN_EMAIL_ALLOWLIST: "a@example.com"
      })
      const parsed = Option.getOrThrow(Either.getOrThrow(withScheme))
      expect(parsed.issuer.href).toBe("https://tenant.auth0.com/")
      expect(parsed.tokenAuthMethod).toBe("none")
    }))

  it.effect("a missing client id is named, with what to set", () =>
    Effect.gen(function*() {
      const result = yield* readConfig({
        OIDC_ISSUER: "https://login.example.com/",
        OIDC_REDIRECT_URL: "https://p.example.com/cb",
        OIDC_ALLOWED_EMAILS: "a@example.com"
      })
      expect(Either.isLeft(result)).toBe(true)
      expect(String(Either.getLeft(result).pipe(Option.getOrThrow))).toMatch(
        /OIDC_CLIENT_ID is not set \(nor publisher_v2's AUTH0_CLIENT_ID\): set it to the client id/
      )
    }))

  it.effect("an empty or missing allow list is refused (deny by default)", () =>
    Effect.gen(function*() {
      const env = {
        OIDC_ISSUER: "https://login.example.com/",
        OIDC_CLIENT_ID: "c",
        OIDC_REDIRECT_URL: "https://p.example.com/cb"
      }
      const empty = yield* readConfig({ ...env, OIDC_ALLOWED_EMAILS: " , " })
      expect(String(Option.getOrThrow(Either.getLeft(empty)))).toContain(
        "OIDC_ALLOWED_EMAILS lists no address: set OIDC_ALLOWED_EMAILS to the admins' email addresses"
      )
      const missing = yield* readConfig(env)
      expect(String(Option.getOrThrow(Either.getLeft(missing)))).toContain("OIDC_ALLOWED_EMAILS is not set")
      const bad = yield* readConfig({ ...env, OIDC_ALLOWED_EMAILS: "admin" })
      expect(String(Option.getOrThrow(Either.getLeft(bad)))).toContain(`"admin" is not an email address`)
    }))

  it.effect("a missing redirect URL, or a plain-http issuer off loopback, is named", () =>
    Effect.gen(function*() {
      const noRedirect = yield* readConfig({
        OIDC_ISSUER: "https://login.example.com/",
        OIDC_CLIENT_ID: "c",
        OIDC_ALLOWED_EMAILS: "a@example.com"
      })
      expect(String(Option.getOrThrow(Either.getLeft(noRedirect)))).toContain("OIDC_REDIRECT_URL is not set")
      const http = yield* readConfig({
        OIDC_ISSUER: "http://login.example.com/",
        OIDC_CLIENT_ID: "c",
        OIDC_REDIRECT_URL: "https://p.example.com/cb",
        OIDC_ALLOWED_EMAILS: "a@example.com"
      })
      expect(String(Option.getOrThrow(Either.getLeft(http)))).toContain("OIDC_ISSUER must be an https URL")
    }))
})
