import { HttpApiBuilder, HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Option, Redacted } from "effect"
import { PublisherApi } from "./Api.js"
import { originAllowed } from "./edge.js"
import { Forbidden, NotFound, TooManyRequests, Unauthorized } from "./errors.js"
import { Operations } from "./Operations.js"
import {
  clientOf,
  cookieValue,
  CROSS_ORIGIN_DETAIL,
  endSessionCookie,
  hasSession,
  safeEqual,
  sessionCookieName,
  setSessionCookie
} from "./security.js"
import { WebContext } from "./WebContext.js"

export const AdminHandlers = HttpApiBuilder.group(PublisherApi, "admin", (handlers) =>
  handlers
    .handle("login", ({ payload }) =>
      Effect.gen(function*() {
        const web = yield* WebContext
        const request = yield* HttpServerRequest.HttpServerRequest
        if (Option.isNone(web.settings.adminPassword)) {
          return yield* new NotFound({ error: "Admin login is not enabled", detail: "set web_admin_pw" })
        }
        if (!originAllowed(web.settings, request)) {
          return yield* new Forbidden({ error: "Cross-origin request refused", detail: CROSS_ORIGIN_DETAIL })
        }
        const client = clientOf(request, web.settings.trustedProxies)
        const wait = yield* web.throttle.retryAfter(client)
        if (Option.isSome(wait)) {
          yield* Effect.logWarning("web_admin_login_throttled").pipe(
            Effect.annotateLogs({ client, retry_after_s: wait.value })
          )
          yield* HttpApp.appendPreResponseHandler((_req, response) =>
            Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(wait.value)))
          )
          return yield* new TooManyRequests({ error: "Too many failed logins", detail: `try again in ${wait.value} s` })
        }
        if (!safeEqual(payload.password, Redacted.value(web.settings.adminPassword.value))) {
          yield* web.throttle.fail(client)
          yield* Effect.logWarning("web_admin_login_failed").pipe(Effect.annotateLogs({ client }))
          return yield* new Unauthorized({ error: "Invalid password" })
        }
        yield* web.throttle.succeed(client)
        const name = sessionCookieName(web.settings)
        // A new id at every login; the one the browser had (if any) ends.
        const previous = cookieValue(request, name)
        if (Option.isSome(previous)) {
          yield* web.sessions.remove(previous.value)
        }
        const session = yield* web.sessions.create
        yield* Effect.logInfo("web_admin_login").pipe(Effect.annotateLogs({ client }))
        yield* HttpApp.appendPreResponseHandler((_req, response) => setSessionCookie(web.settings, session)(response))
        return { admin: true, error: null }
      }))
    .handle("status", () =>
      Effect.gen(function*() {
        const web = yield* WebContext
        const request = yield* HttpServerRequest.HttpServerRequest
        return { admin: yield* hasSession(web.settings, web.sessions, request), error: null }
      }))
    .handle("logout", () =>
      Effect.gen(function*() {
        const web = yield* WebContext
        const request = yield* HttpServerRequest.HttpServerRequest
        if (!originAllowed(web.settings, request)) {
          return yield* new Forbidden({ error: "Cross-origin request refused", detail: CROSS_ORIGIN_DETAIL })
        }
        const name = sessionCookieName(web.settings)
        const session = cookieValue(request, name)
        if (Option.isSome(session)) {
          yield* web.sessions.remove(session.value)
        }
        yield* HttpApp.appendPreResponseHandler((_req, response) => endSessionCookie(web.settings)(response))
        return { admin: false, error: null }
      }))
    .handle("check", () =>
      Effect.gen(function*() {
        const operations = yield* Operations
        const checks = yield* operations.checks
        const now = new Date(yield* Clock.currentTimeMillis)
        return {
          ok: checks.every((c) => c.status !== "failed"),
          checks,
          schedule: operations.schedule === undefined
            ? null
            : {
              expression: operations.schedule.expression,
              time_zone: operations.schedule.timeZone,
              next_run_at: operations.schedule.next(now).toISOString()
            }
        }
      }).pipe(Effect.withSpan("http.web_check"))))
