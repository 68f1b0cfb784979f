import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { HttpServerRequest } from "@effect/platform"
import { Clock, Effect, Option, Redacted, Ref } from "effect"
import { AdminSession, Authorization, Viewer } from "./Api.js"
import type { WebSettings } from "./config.js"
import { Forbidden, Unauthorized, Unavailable } from "./errors.js"

export const SESSION_COOKIE = "publisher_admin"

/** Compares secrets in constant time (hashing first, so lengths leak nothing either). */
export const safeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())

/** Server-side admin sessions: random ids, expiry, logout deletes. */
export interface Sessions {
  readonly create: Effect.Effect<string>
  readonly isValid: (id: string) => Effect.Effect<boolean>
  readonly remove: (id: string) => Effect.Effect<void>
}

export const makeSessions = (ttlSeconds: number) =>
  Effect.gen(function*() {
    const store = yield* Ref.make(new Map<string, number>())
    return {
      create: Effect.gen(function*() {
        const id = randomBytes(32).toString("base64url")
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(store, (m) => {
          const next = new Map([...m].filter(([, expiry]) => expiry > now))
          next.set(id, now + ttlSeconds * 1000)
          return next
        })
        return id
      }),
      isValid: (id) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const expiry = (yield* Ref.get(store)).get(id)
          return expiry !== undefined && expiry > now
        }),
      remove: (id) => Ref.update(store, (m) => {
        const next = new Map(m)
        next.delete(id)
        return next
      })
    } satisfies Sessions
  })

/** Failed logins per client: at most `limit` in a sliding window, then 429 until it passes. */
export const makeLoginThrottle = (limit = 5, windowMs = 60_000) =>
  Effect.gen(function*() {
    const failures = yield* Ref.make(new Map<string, ReadonlyArray<number>>())
    const recent = (client: string, now: number) => Ref.get(failures).pipe(Effect.map((m) => (m.get(client) ?? []).filter((t) => t > now - windowMs)))
    return {
      blocked: (client: string) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          return (yield* recent(client, now)).length >= limit
        }),
      fail: (client: string) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const times = yield* recent(client, now)
          yield* Ref.update(failures, (m) => new Map(m).set(client, [...times, now]))
        }),
      succeed: (client: string) => Ref.update(failures, (m) => {
        const next = new Map(m)
        next.delete(client)
        return next
      })
    }
  })

export const cookieValue = (request: HttpServerRequest.HttpServerRequest, name: string): Option.Option<string> =>
  Option.fromNullable(request.cookies[name]).pipe(Option.filter((v) => v !== ""))

/** Who is calling, for throttling: the socket's address (not a header a client can forge). */
export const clientOf = (request: HttpServerRequest.HttpServerRequest): string =>
  Option.getOrElse(request.remoteAddress, () => "unknown")

/** A state-changing request must come from this origin: Origin (or Referer) host = Host. */
export const sameOrigin = (request: HttpServerRequest.HttpServerRequest): boolean => {
  const origin = request.headers["origin"] ?? request.headers["referer"]
  if (origin === undefined) return true // not a browser: no ambient cookies to abuse without Origin
  try {
    const host = request.headers["host"] ?? new URL(request.originalUrl).host
    return host !== "" && new URL(origin).host === host
  } catch {
    return false
  }
}

/** Whether the request carries the API credential (WEB_AUTH_TOKEN bearer, WEB_AUTH_USER / WEB_AUTH_PASS basic). */
export const hasApiCredential = (settings: WebSettings, request: HttpServerRequest.HttpServerRequest): boolean => {
  const header = request.headers["authorization"] ?? ""
  const token = settings.authToken
  if (Option.isSome(token) && header.startsWith("Bearer ") && safeEqual(header.slice(7), Redacted.value(token.value))) return true
  const user = settings.authUser
  const pass = settings.authPass
  if (Option.isSome(user) && Option.isSome(pass) && header.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8")
    const colon = decoded.indexOf(":")
    return colon > 0 && safeEqual(decoded.slice(0, colon), user.value) && safeEqual(decoded.slice(colon + 1), Redacted.value(pass.value))
  }
  return false
}

/** A live admin session cookie. */
export const hasSession = (sessions: Sessions, request: HttpServerRequest.HttpServerRequest) => {
  const session = cookieValue(request, SESSION_COOKIE)
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
    if (hasApiCredential(settings, request) || (yield* hasSession(sessions, request))) return
    return yield* new Unauthorized({ error: "Unauthorized", detail: "log in, or send the API credential (WEB_AUTH_TOKEN or WEB_AUTH_USER / WEB_AUTH_PASS)" })
  })

export const authorization = (settings: WebSettings, sessions: Sessions) => Authorization.of(authorize(settings, sessions, false))

/** Viewing endpoints: as {@link authorization}, or anyone while AUTO_VIEW is on (publisher_v2's rule). */
export const viewer = (settings: WebSettings, sessions: Sessions) => Viewer.of(authorize(settings, sessions, settings.features.autoView))

/** `/metrics`: a METRICS_TOKEN bearer (scrapers), the API credential or an admin session. */
export const metricsAllowed = (settings: WebSettings, sessions: Sessions, request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const header = request.headers["authorization"] ?? ""
    const token = settings.metricsToken
    if (Option.isSome(token) && header.startsWith("Bearer ") && safeEqual(header.slice(7), Redacted.value(token.value))) return true
    return hasApiCredential(settings, request) || (yield* hasSession(sessions, request))
  })

/** Admin endpoints: a live session cookie, and (CSRF) a same-origin request. */
export const adminSession = (settings: WebSettings, sessions: Sessions) =>
  AdminSession.of(
    Effect.gen(function*() {
      if (Option.isNone(settings.adminPassword)) {
        return yield* new Unavailable({ error: "Admin mode not configured", detail: "set web_admin_pw" })
      }
      const request = yield* HttpServerRequest.HttpServerRequest
      if (request.method !== "GET" && !sameOrigin(request)) {
        return yield* new Forbidden({ error: "Cross-origin request refused" })
      }
      const session = cookieValue(request, SESSION_COOKIE)
      if (Option.isNone(session) || !(yield* sessions.isValid(session.value))) {
        return yield* new Forbidden({ error: "Admin privileges required" })
      }
    })
  )
