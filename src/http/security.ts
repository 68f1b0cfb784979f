import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Option, Redacted, Ref } from "effect"
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { AdminSession, Authorization, Viewer } from "./Api.js"
import type { WebSettings } from "./config.js"
import { originAllowed } from "./edge.js"
import { Forbidden, Unauthorized, Unavailable } from "./errors.js"

/**
 * The session cookie's name: with `Secure`, the `__Host-` prefix (the browser then refuses it
 * unless it is Secure, host-only and for the whole site: no subdomain can plant or read one).
 */
export const sessionCookieName = (settings: Pick<WebSettings, "secureCookies">) =>
  settings.secureCookies ? "__Host-publisher_admin" : "publisher_admin"

const sessionCookieOptions = (settings: Pick<WebSettings, "secureCookies">) =>
  ({ httpOnly: true, sameSite: "strict", secure: settings.secureCookies, path: "/" }) as const

/** The admin session cookie, as every login (password or single sign-on) sets it. */
export const setSessionCookie =
  (settings: Pick<WebSettings, "secureCookies" | "cookieTtlSeconds">, session: string) =>
  (response: HttpServerResponse.HttpServerResponse) =>
    HttpServerResponse.setCookie(response, sessionCookieName(settings), session, {
      ...sessionCookieOptions(settings),
      maxAge: `${settings.cookieTtlSeconds} seconds`
    }).pipe(Effect.orDie)

/**
 * Every logout: the session cookie expired, and the photos this browser kept (private,
 * revalidated) go with it.
 */
export const endSessionCookie =
  (settings: Pick<WebSettings, "secureCookies">) => (response: HttpServerResponse.HttpServerResponse) =>
    HttpServerResponse.expireCookie(response, sessionCookieName(settings), sessionCookieOptions(settings)).pipe(
      Effect.map(HttpServerResponse.setHeader("clear-site-data", "\"cache\"")),
      Effect.orDie
    )

/** Compares secrets in constant time (hashing first, so lengths leak nothing either). */
export const safeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())

/** Server-side admin sessions: random ids, an absolute and an idle expiry, logout deletes. */
export interface Sessions {
  /** A new id (every login gets one: a session id known before login is worth nothing after it). */
  readonly create: Effect.Effect<string>
  /** Live, and not idle too long; a valid check counts as activity. */
  readonly isValid: (id: string) => Effect.Effect<boolean>
  readonly remove: (id: string) => Effect.Effect<void>
}

interface Session {
  readonly expiresAt: number
  readonly lastSeen: number
}

export const makeSessions = (ttlSeconds: number, idleSeconds: number = ttlSeconds) =>
  Effect.gen(function*() {
    const store = yield* Ref.make(new Map<string, Session>())
    const live = (session: Session | undefined, now: number): session is Session =>
      session !== undefined && session.expiresAt > now && now - session.lastSeen < idleSeconds * 1000
    return {
      create: Effect.gen(function*() {
        const id = randomBytes(32).toString("base64url")
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(store, (m) => {
          const next = new Map([...m].filter(([, session]) => live(session, now)))
          next.set(id, { expiresAt: now + ttlSeconds * 1000, lastSeen: now })
          return next
        })
        return id
      }),
      isValid: (id) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const session = (yield* Ref.get(store)).get(id)
          if (!live(session, now)) return false
          yield* Ref.update(store, (m) => new Map(m).set(id, { ...session, lastSeen: now }))
          return true
        }),
      remove: (id) =>
        Ref.update(store, (m) => {
          const next = new Map(m)
          next.delete(id)
          return next
        })
    } satisfies Sessions
  })

/**
 * Failed logins: at most `perClient` per client and `global` in all in a sliding window, then 429
 * with the seconds to wait. Clients with no failure left in the window are forgotten.
 */
export const makeLoginThrottle = (
  options: { readonly perClient?: number; readonly global?: number; readonly windowMs?: number } = {}
) =>
  Effect.gen(function*() {
    const perClient = options.perClient ?? 5
    const global = options.global ?? 50
    const windowMs = options.windowMs ?? 60_000
    const failures = yield* Ref.make(new Map<string, ReadonlyArray<number>>())
    const recent = (m: ReadonlyMap<string, ReadonlyArray<number>>, now: number) =>
      new Map(
        [...m].map(([client, times]) => [client, times.filter((t) => t > now - windowMs)] as const).filter((
          [, times]
        ) => times.length > 0)
      )
    return {
      /** `Some(seconds)` to wait when this client (or everyone) failed too often. */
      retryAfter: (client: string) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const current = recent(yield* Ref.get(failures), now)
          const mine = current.get(client) ?? []
          const all = [...current.values()].flat().sort((a, b) => a - b)
          const waitFor = (times: ReadonlyArray<number>, limit: number) =>
            times.length >= limit ? Math.max(1, Math.ceil((times[times.length - limit]! + windowMs - now) / 1000)) : 0
          const wait = Math.max(waitFor(mine, perClient), waitFor(all, global))
          return wait > 0 ? Option.some(wait) : Option.none<number>()
        }),
      fail: (client: string) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          yield* Ref.update(failures, (m) => {
            const next = recent(m, now)
            return next.set(client, [...(next.get(client) ?? []), now])
          })
        }),
      succeed: (client: string) =>
        Ref.update(failures, (m) => {
          const next = new Map(m)
          next.delete(client)
          return next
        })
    }
  })

export const cookieValue = (request: HttpServerRequest.HttpServerRequest, name: string): Option.Option<string> =>
  Option.fromNullable(request.cookies[name]).pipe(Option.filter((v) => v !== ""))

const plainAddress = (address: string) => address.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "")

/**
 * Who is calling, for throttling and logs: the socket's address; behind a proxy listed in
 * `TRUSTED_PROXIES`, the nearest `X-Forwarded-For` address that is not one of those proxies. A
 * client can put anything in that header: it counts only through a trusted proxy.
 */
export const clientOf = (
  request: HttpServerRequest.HttpServerRequest,
  trustedProxies: ReadonlyArray<string> = []
): string =>
  clientAddress(
    Option.getOrElse(request.remoteAddress, () => "unknown"),
    request.headers["x-forwarded-for"],
    trustedProxies
  )

export const clientAddress = (
  socketAddress: string,
  forwardedFor: string | undefined,
  trustedProxies: ReadonlyArray<string>
): string => {
  const socket = plainAddress(socketAddress)
  const trusted = new Set(trustedProxies.map(plainAddress))
  if (!trusted.has(socket)) return socket
  const forwarded = (forwardedFor ?? "").split(",").map(plainAddress).filter((a) => a !== "")
  for (let i = forwarded.length - 1; i >= 0; i--) {
    if (!trusted.has(forwarded[i]!)) return forwarded[i]!
  }
  return forwarded[0] ?? socket
}

/** An `Authorization: Bearer` header carrying this (configured) token. */
const bearerIs = (header: string, token: Option.Option<Redacted.Redacted>): boolean =>
  Option.isSome(token) && header.startsWith("Bearer ") && safeEqual(header.slice(7), Redacted.value(token.value))

/** Whether the request carries the API credential (WEB_AUTH_TOKEN bearer, WEB_AUTH_USER / WEB_AUTH_PASS basic). */
export const hasApiCredential = (settings: WebSettings, request: HttpServerRequest.HttpServerRequest): boolean => {
  const header = request.headers["authorization"] ?? ""
  const token = settings.authToken
  if (bearerIs(header, token)) return true
  const user = settings.authUser
  const pass = settings.authPass
  if (Option.isSome(user) && Option.isSome(pass) && header.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8")
    const colon = decoded.indexOf(":")
    return colon > 0 && safeEqual(decoded.slice(0, colon), user.value) &&
      safeEqual(decoded.slice(colon + 1), Redacted.value(pass.value))
  }
  return false
}

/** A live admin session cookie. */
export const hasSession = (settings: WebSettings, sessions: Sessions, request: HttpServerRequest.HttpServerRequest) => {
  const session = cookieValue(request, sessionCookieName(settings))
  return Option.isSome(session) ? sessions.isValid(session.value) : Effect.succeed(false)
}

/**
 * The API credential or a live admin session. Deny by default: with no credential configured,
 * only a session opens these endpoints.
 */
const authorize = (settings: WebSettings, sessions: Sessions, anonymousAllowed: boolean) =>
  Effect.gen(function*() {
    if (anonymousAllowed) return
    const request = yield* HttpServerRequest.HttpServerRequest
    if (hasApiCredential(settings, request) || (yield* hasSession(settings, sessions, request))) return
    return yield* new Unauthorized({
      error: "Unauthorized",
      detail: "log in, or send the API credential (WEB_AUTH_TOKEN or WEB_AUTH_USER / WEB_AUTH_PASS)"
    })
  })

export const authorization = (settings: WebSettings, sessions: Sessions) =>
  Authorization.of(authorize(settings, sessions, false))

/** Viewing endpoints: as {@link authorization}, or anyone while AUTO_VIEW is on (publisher_v2's rule). */
export const viewer = (settings: WebSettings, sessions: Sessions) =>
  Viewer.of(authorize(settings, sessions, settings.features.autoView))

/** `/metrics`: a METRICS_TOKEN bearer (scrapers), the API credential or an admin session. */
export const metricsAllowed = (
  settings: WebSettings,
  sessions: Sessions,
  request: HttpServerRequest.HttpServerRequest
) =>
  Effect.gen(function*() {
    const header = request.headers["authorization"] ?? ""
    const token = settings.metricsToken
    if (bearerIs(header, token)) return true
    return hasApiCredential(settings, request) || (yield* hasSession(settings, sessions, request))
  })

/** Admin endpoints: a live session cookie, and (CSRF) a same-origin request. */
export const adminSession = (settings: WebSettings, sessions: Sessions, oidcConfigured: boolean) =>
  AdminSession.of(
    Effect.gen(function*() {
      if (Option.isNone(settings.adminPassword) && !oidcConfigured) {
        return yield* new Unavailable({
          error: "Admin mode not configured",
          detail: "set web_admin_pw, or OIDC_ISSUER for single sign-on"
        })
      }
      const request = yield* HttpServerRequest.HttpServerRequest
      if (request.method !== "GET" && !originAllowed(settings, request)) {
        return yield* new Forbidden({ error: "Cross-origin request refused", detail: CROSS_ORIGIN_DETAIL })
      }
      if (!(yield* hasSession(settings, sessions, request))) {
        return yield* new Forbidden({ error: "Admin privileges required", detail: "log in on the admin page" })
      }
    })
  )

export const CROSS_ORIGIN_DETAIL =
  "the request's Origin is not this server's: open the page at PUBLIC_URL (or a host in WEB_ALLOWED_HOSTS)"
