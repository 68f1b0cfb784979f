import { HttpApiBuilder, HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Option, Redacted } from "effect"
import { PublisherApi } from "./Api.js"
import { Forbidden, NotFound, TooManyRequests, Unauthorized } from "./errors.js"
import { clientOf, cookieValue, safeEqual, sameOrigin, SESSION_COOKIE } from "./security.js"
import { Operations } from "./Operations.js"
import { WebContext } from "./WebContext.js"

export const AdminHandlers = HttpApiBuilder.group(PublisherApi, "admin", (handlers) =>
  handlers
    .handle("login", ({ payload }) =>
      Effect.gen(function*() {
        const web = yield* WebContext
        const request = yield* HttpServerRequest.HttpServerRequest
        if (Option.isNone(web.settings.adminPassword)) return yield* new NotFound({ error: "Admin login is not enabled", detail: "set web_admin_pw" })
        if (!sameOrigin(request)) return yield* new Forbidden({ error: "Cross-origin request refused" })
        const client = clientOf(request)
        if (yield* web.throttle.blocked(client)) return yield* new TooManyRequests({ error: "Too many failed logins; try again in a minute" })
        if (!safeEqual(payload.password, Redacted.value(web.settings.adminPassword.value))) {
          yield* web.throttle.fail(client)
          yield* Effect.logWarning("web_admin_login_failed")
          return yield* new Unauthorized({ error: "Invalid password" })
        }
        yield* web.throttle.succeed(client)
        const session = yield* web.sessions.create
        yield* HttpApp.appendPreResponseHandler((_req, response) =>
          HttpServerResponse.setCookie(response, SESSION_COOKIE, session, {
            httpOnly: true,
            sameSite: "strict",
            secure: web.settings.secureCookies,
            path: "/",
            maxAge: `${web.settings.cookieTtlSeconds} seconds`
          }).pipe(Effect.orDie)
        )
        return { admin: true, error: null }
      }))
    .handle("status", () =>
      Effect.gen(function*() {
        const web = yield* WebContext
        const request = yield* HttpServerRequest.HttpServerRequest
        const session = cookieValue(request, SESSION_COOKIE)
        return { admin: Option.isSome(session) && (yield* web.sessions.isValid(session.value)), error: null }
      }))
    .handle("logout", () =>
      Effect.gen(function*() {
        const web = yield* WebContext
        const request = yield* HttpServerRequest.HttpServerRequest
        if (!sameOrigin(request)) return yield* new Forbidden({ error: "Cross-origin request refused" })
        const session = cookieValue(request, SESSION_COOKIE)
        if (Option.isSome(session)) yield* web.sessions.remove(session.value)
        yield* HttpApp.appendPreResponseHandler((_req, response) =>
          HttpServerResponse.expireCookie(response, SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "strict", secure: web.settings.secureCookies }).pipe(Effect.orDie)
        )
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
            : { expression: operations.schedule.expression, time_zone: operations.schedule.timeZone, next_run_at: operations.schedule.next(now).toISOString() }
        }
      }).pipe(Effect.withSpan("http.web_check")))
)
