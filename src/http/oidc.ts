import { Config, ConfigError, Duration, Effect, Either, Option, Redacted, Schema } from "effect"
import * as client from "openid-client"
import { isLoopbackHost } from "./edge.js"

/** Sign-in with an OpenID Connect provider (Auth0, Keycloak, Google, ...): the relying party's core. */
export interface OidcSettings {
  readonly issuer: URL
  readonly clientId: string
  /** None: a public client, which PKCE alone protects. */
  readonly clientSecret: Option.Option<Redacted.Redacted>
  readonly tokenAuthMethod: "client_secret_basic" | "client_secret_post" | "none"
  readonly redirectUrl: URL
  /** Lowercased; never empty (deny by default). */
  readonly allowedEmails: ReadonlySet<string>
  /** Auth0's API identifier, sent as `audience` so that Auth0 issues a JWT access token for it. */
  readonly audience: Option.Option<string>
}

export class OidcError extends Schema.TaggedError<OidcError>()("OidcError", { message: Schema.String }) {}

export class OidcLoginError extends Schema.TaggedError<OidcLoginError>()("OidcLoginError", {
  reason: Schema.Literal(
    "state_mismatch",
    "provider_error",
    "exchange_failed",
    "invalid_token",
    "email_not_allowed",
    "no_email"
  ),
  message: Schema.String
}) {}

export interface OidcLogin {
  readonly url: string
  readonly state: string
  readonly nonce: string
  readonly codeVerifier: string
}

export interface OidcClient {
  readonly begin: Effect.Effect<OidcLogin>
  readonly finish: (
    callbackUrl: URL,
    expected: Pick<OidcLogin, "state" | "nonce" | "codeVerifier">
  ) => Effect.Effect<{ readonly email: string; readonly subject: string }, OidcLoginError>
  readonly logoutUrl: (postLogoutRedirect: string) => Option.Option<string>
}

// ---- configuration ----

interface Found {
  readonly name: string
  readonly value: string
}

/** A variable that is set and not blank, with its name so that errors name the one actually read. */
const setting = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map(
      Option.flatMap((raw) => (raw.trim() === "" ? Option.none() : Option.some<Found>({ name, value: raw.trim() })))
    )
  )
const firstSet = (...names: ReadonlyArray<string>) =>
  Config.all(names.map(setting)).pipe(Config.map(Option.firstSomeOf))
const secret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(Config.map(Option.filter((v) => Redacted.value(v).trim() !== "")))

const isLoopback = (url: URL) => isLoopbackHost(url.hostname)

const parseUrl = (found: Found, example: string) =>
  Either.try({
    try: () => new URL(found.value),
    catch: () =>
      ConfigError.InvalidData([found.name], `${found.name} must be a URL such as ${example}, not "${found.value}"`)
  }).pipe(Either.filterOrLeft(
    (url) => url.protocol === "https:" || url.protocol === "http:",
    () => ConfigError.InvalidData([found.name], `${found.name} must be an http(s) URL such as ${example}`)
  ))

const missing = (name: string, alias: string, what: string) =>
  ConfigError.MissingData([name], `${name} is not set (nor publisher_v2's ${alias}): set it to ${what}`)

/**
 * `None` when no provider is configured (OIDC_ISSUER and AUTH0_DOMAIN unset). Each OIDC_* name falls back to
 * publisher_v2's Auth0 name, so its .env works as it is.
 */
export const OidcConfig: Config.Config<Option.Option<OidcSettings>> = Config.all({
  issuer: firstSet("OIDC_ISSUER"),
  domain: firstSet("AUTH0_DOMAIN"),
  clientId: firstSet("OIDC_CLIENT_ID", "AUTH0_CLIENT_ID"),
  clientSecret: Config.all([secret("OIDC_CLIENT_SECRET"), secret("AUTH0_CLIENT_SECRET")]).pipe(
    Config.map(Option.firstSomeOf)
  ),
  tokenAuthMethod: Config.option(Config.literal("client_secret_basic", "client_secret_post")("OIDC_TOKEN_AUTH_METHOD")),
  redirectUrl: firstSet("OIDC_REDIRECT_URL", "AUTH0_CALLBACK_URL"),
  allowedEmails: firstSet("OIDC_ALLOWED_EMAILS", "ADMIN_LOGIN_EMAILS", "AUTH0_ADMIN_EMAIL_ALLOWLIST"),
  audience: firstSet("OIDC_AUDIENCE", "AUTH0_AUDIENCE")
}).pipe(Config.mapOrFail((raw) => {
  const issuerFound = Option.orElse(
    raw.issuer,
    () =>
      Option.map(
        raw.domain,
        (d): Found => ({ name: d.name, value: /^https?:\/\//i.test(d.value) ? d.value : `https://${d.value}/` })
      )
  )
  if (Option.isNone(issuerFound)) return Either.right(Option.none())
  return Either.gen(function*() {
    const issuer = yield* parseUrl(issuerFound.value, "https://login.example.com/")
    if (issuer.protocol !== "https:" && !isLoopback(issuer)) {
      return yield* Either.left(
        ConfigError.InvalidData(
          [issuerFound.value.name],
          `${issuerFound.value.name} must be an https URL (http only for 127.0.0.1, localhost or ::1)`
        )
      )
    }
    const clientId = yield* Either.fromOption(
      raw.clientId,
      () => missing("OIDC_CLIENT_ID", "AUTH0_CLIENT_ID", "the client id registered at the OpenID provider")
    )
    const redirectFound = yield* Either.fromOption(
      raw.redirectUrl,
      () =>
        missing(
          "OIDC_REDIRECT_URL",
          "AUTH0_CALLBACK_URL",
          "this server's login callback URL, as registered at the provider"
        )
    )
    const redirectUrl = yield* parseUrl(redirectFound, "https://publisher.example.com/auth/callback")
    const emailsFound = yield* Either.fromOption(
      raw.allowedEmails,
      () =>
        missing(
          "OIDC_ALLOWED_EMAILS",
          "ADMIN_LOGIN_EMAILS",
          "the admins' email addresses, comma-separated (nobody may sign in otherwise)"
        )
    )
    const emails = emailsFound.value.split(",").map((e) => e.trim().toLowerCase()).filter((e) => e !== "")
    const notEmail = emails.find((e) => !/^[^@\s]+@[^@\s]+$/.test(e))
    if (notEmail !== undefined) {
      return yield* Either.left(
        ConfigError.InvalidData([emailsFound.name], `${emailsFound.name}: "${notEmail}" is not an email address`)
      )
    }
    if (emails.length === 0) {
      return yield* Either.left(
        ConfigError.InvalidData(
          [emailsFound.name],
          `${emailsFound.name} lists no address: set OIDC_ALLOWED_EMAILS to the admins' email addresses`
        )
      )
    }
    // Auth0 applications authenticate with client_secret_post unless changed; OAuth 2's default is basic.
    const defaultMethod = issuerFound.value.name === "AUTH0_DOMAIN" ? "client_secret_post" : "client_secret_basic"
    const settings: OidcSettings = {
      issuer,
      clientId: clientId.value,
      clientSecret: raw.clientSecret,
      tokenAuthMethod: Option.isNone(raw.clientSecret)
        ? "none"
        : Option.getOrElse(raw.tokenAuthMethod, () => defaultMethod),
      redirectUrl,
      allowedEmails: new Set(emails),
      audience: Option.map(raw.audience, (a) => a.value)
    }
    return Option.some(settings)
  })
}))

// ---- client ----

/** A one-line cause in the user's words, from openid-client's errors and fetch's nested system errors. */
const reasonOf = (error: unknown, timeoutSeconds: number): string => {
  if (error instanceof client.ResponseBodyError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ""} (HTTP ${error.status})`
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    // A 401 from the token endpoint: the provider did not recognise this client.
    return `${
      error.cause[0]?.parameters.error ?? "refused"
    } (HTTP ${error.status}); check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET`
  }
  if (error instanceof client.ClientError && error.code === "OAUTH_TIMEOUT") {
    return `no answer within ${timeoutSeconds} s`
  }
  if (error instanceof Error) {
    const cause: unknown = error.cause
    if (cause instanceof Response) return `${error.message} (HTTP ${cause.status})`
    if (cause instanceof Error) {
      // Node's system errors say the most by their code (ECONNREFUSED); oauth4webapi's by their message.
      const code = (cause as { code?: unknown }).code
      return typeof code === "string" && !code.startsWith("OAUTH_")
        ? `${error.message} (${code})`
        : `${error.message}: ${cause.message}`
    }
    return error.message
  }
  return String(error)
}

// Failures that mean the ID token itself was refused (as opposed to the provider or the network failing).
const tokenCodes = new Set([
  "OAUTH_JWT_TIMESTAMP_CHECK_FAILED",
  "OAUTH_JWT_CLAIM_COMPARISON_FAILED",
  "OAUTH_KEY_SELECTION_FAILED",
  "OAUTH_INVALID_RESPONSE",
  "OAUTH_PARSE_ERROR",
  "OAUTH_UNSUPPORTED_OPERATION"
])

/** Discovers the provider once (bounded by `timeout`, which also bounds every later request to it). */
export const makeOidcClient = (
  settings: OidcSettings,
  options: { readonly timeout?: Duration.DurationInput } = {}
): Effect.Effect<OidcClient, OidcError> =>
  Effect.gen(function*() {
    const issuer = settings.issuer.href
    const timeoutSeconds = Duration.toSeconds(Duration.decode(options.timeout ?? "10 seconds"))
    const insecure = settings.issuer.protocol === "http:"
    if (insecure && !isLoopback(settings.issuer)) {
      return yield* new OidcError({
        message: `OpenID provider ${issuer} must be reached over https (http only on this machine's loopback)`
      })
    }
    const secretValue = Option.map(settings.clientSecret, Redacted.value)
    const auth = Option.isNone(secretValue) || settings.tokenAuthMethod === "none"
      ? client.None()
      : settings.tokenAuthMethod === "client_secret_post"
      ? client.ClientSecretPost(secretValue.value)
      : client.ClientSecretBasic(secretValue.value)
    const config = yield* Effect.tryPromise({
      try: () =>
        client.discovery(settings.issuer, settings.clientId, undefined, auth, {
          timeout: timeoutSeconds,
          execute: insecure ? [client.allowInsecureRequests] : []
        }),
      catch: (error) =>
        new OidcError({
          message: error instanceof client.ClientError && error.code === "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED"
            ? `OpenID provider ${issuer} names another issuer in its discovery document: set OIDC_ISSUER to exactly the provider's issuer`
            : `OpenID provider ${issuer} did not answer discovery: ${reasonOf(error, timeoutSeconds)}`
        })
    })
    const metadata = config.serverMetadata()
    const fail = (reason: OidcLoginError["reason"], message: string) =>
      Effect.fail(new OidcLoginError({ reason, message }))

    const begin = Effect.promise(async (): Promise<OidcLogin> => {
      const codeVerifier = client.randomPKCECodeVerifier()
      const state = client.randomState()
      const nonce = client.randomNonce()
      const params: Record<string, string> = {
        redirect_uri: settings.redirectUrl.href,
        scope: "openid email profile",
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
        state,
        nonce
      }
      if (Option.isSome(settings.audience)) params.audience = settings.audience.value
      return { url: client.buildAuthorizationUrl(config, params).href, state, nonce, codeVerifier }
    })

    const finish: OidcClient["finish"] = (callbackUrl, expected) =>
      Effect.gen(function*() {
        const params = callbackUrl.searchParams
        // Checked before anything is sent: a callback that is not the answer to our request is never exchanged.
        if (params.get("state") !== expected.state) {
          return yield* fail(
            "state_mismatch",
            "This sign-in link is not the one this browser started (or it has expired): sign in again."
          )
        }
        const providerError = params.get("error")
        if (providerError !== null) {
          const description = params.get("error_description")
          return yield* fail(
            "provider_error",
            `The OpenID provider refused the sign-in: ${providerError}${description ? ` (${description})` : ""}.`
          )
        }
        // The redirect_uri sent with the code must be the registered one, not the URL as seen behind a proxy.
        const current = new URL(settings.redirectUrl)
        current.search = callbackUrl.search
        const tokens = yield* Effect.tryPromise({
          try: () =>
            client.authorizationCodeGrant(config, current, {
              expectedState: expected.state,
              expectedNonce: expected.nonce,
              pkceCodeVerifier: expected.codeVerifier,
              idTokenExpected: true
            }),
          catch: (error) =>
            error instanceof client.ClientError && error.code !== undefined && tokenCodes.has(error.code)
              ? new OidcLoginError({
                reason: "invalid_token",
                message: `The OpenID provider's ID token was refused: ${
                  reasonOf(error, timeoutSeconds)
                }. Sign in again.`
              })
              : new OidcLoginError({
                reason: "exchange_failed",
                message: `The OpenID provider did not accept the sign-in code: ${
                  reasonOf(error, timeoutSeconds)
                }. Sign in again.`
              })
        })
        const claims = tokens.claims()
        if (claims === undefined) {
          return yield* fail("invalid_token", "The OpenID provider sent no ID token: sign in again.")
        }
        // Conforming providers put scope claims in the ID token only when no access token is issued; then ask userinfo.
        const profile = typeof claims.email === "string" || metadata.userinfo_endpoint === undefined
          ? claims
          : yield* Effect.tryPromise({
            try: () => client.fetchUserInfo(config, tokens.access_token, claims.sub),
            catch: (error) =>
              new OidcLoginError({
                reason: "exchange_failed",
                message: `The OpenID provider's userinfo failed: ${reasonOf(error, timeoutSeconds)}.`
              })
          })
        if (typeof profile.email !== "string" || profile.email === "") {
          return yield* fail(
            "no_email",
            "The OpenID provider did not share an email address: allow the email scope and sign in again."
          )
        }
        const email = profile.email.trim().toLowerCase()
        if (profile.email_verified === false) {
          return yield* fail(
            "no_email",
            `The OpenID provider has not verified ${email}: verify it there and sign in again.`
          )
        }
        if (!settings.allowedEmails.has(email)) {
          return yield* fail(
            "email_not_allowed",
            `${email} may not sign in to the admin page (not in OIDC_ALLOWED_EMAILS).`
          )
        }
        return { email, subject: claims.sub }
      })

    const logoutUrl = (postLogoutRedirect: string) =>
      metadata.end_session_endpoint === undefined
        ? Option.none()
        : Option.some(client.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutRedirect }).href)

    return { begin, finish, logoutUrl } satisfies OidcClient
  })
