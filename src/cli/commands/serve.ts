import { Command } from "@effect/cli"
import { HttpServer } from "@effect/platform"
import { Context, Effect, Layer, Option } from "effect"
import { ConfigurationError } from "../../domain/Errors.js"
import { WebConfig, type WebSettings } from "../../http/config.js"
import { isLoopbackHost } from "../../http/edge.js"
import { OidcConfig } from "../../http/oidc.js"
import { serveLayer } from "../../http/server.js"
import { FolderConfig } from "../../programs/RunOptions.js"
import { runOnSchedule, ScheduleConfig } from "../../programs/schedule.js"
import { appLayer } from "../layers.js"
import { OperationsLive } from "./check.js"
import { scheduledRun } from "./schedule.js"

/**
 * What `serve` refuses to start with: admin endpoints without an admin login, half a basic
 * credential, and a server reachable from other machines with no authentication at all.
 */
export const checkWebSettings = (settings: WebSettings, oidcConfigured = false) => {
  const f = settings.features
  const problems: Array<string> = []
  if (Option.isSome(settings.authUser) !== Option.isSome(settings.authPass)) {
    problems.push(
      Option.isSome(settings.authUser)
        ? "WEB_AUTH_USER is set but WEB_AUTH_PASS is not: set both for basic authentication, or neither"
        : "WEB_AUTH_PASS is set but WEB_AUTH_USER is not: set both for basic authentication, or neither"
    )
  }
  const anyAuth = Option.isSome(settings.adminPassword) || oidcConfigured || Option.isSome(settings.authToken) ||
    (Option.isSome(settings.authUser) && Option.isSome(settings.authPass))
  if (!anyAuth && !isLoopbackHost(settings.host)) {
    problems.push(
      `HOST=${settings.host} would let other machines reach the server with no authentication: set web_admin_pw (the admin login) or WEB_AUTH_TOKEN, or HOST=127.0.0.1`
    )
  } else if (
    Option.isNone(settings.adminPassword) && !oidcConfigured && (f.analyze || f.publish || f.keep || f.remove)
  ) {
    problems.push(
      "web_admin_pw (or single sign-on: OIDC_ISSUER, or publisher_v2's AUTH0_DOMAIN) is required while admin endpoints are enabled (or set FEATURE_ANALYZE_CAPTION, FEATURE_PUBLISH, FEATURE_KEEP_CURATE and FEATURE_REMOVE_CURATE to false)"
    )
  }
  return problems.length === 0 ? Effect.void : Effect.fail(new ConfigurationError({ message: problems.join("\n") }))
}

/** What works but will surprise: a server others reach whose cookies or Host rules will get in the way. */
const warnAboutReach = (settings: WebSettings) =>
  Effect.gen(function*() {
    if (isLoopbackHost(settings.host)) return
    const https = Option.isSome(settings.publicUrl) && settings.publicUrl.value.protocol === "https:"
    if (settings.secureCookies && !https) {
      yield* Effect.logWarning(
        "serve_secure_cookies_without_https: browsers drop Secure session cookies over plain http, so logging in will not stick; set PUBLIC_URL to the https address (behind a proxy), or WEB_SECURE_COOKIES=false on a trusted network"
      )
    }
    if (Option.isNone(settings.publicUrl) && settings.allowedHosts.length === 0) {
      yield* Effect.logWarning(
        `serve_loopback_hosts_only: HOST=${settings.host} listens beyond this machine, but only requests for localhost / 127.0.0.1 are answered (others get 421); set PUBLIC_URL or WEB_ALLOWED_HOSTS to the names people use`
      )
    }
  })

/**
 * Starts the HTTP admin API and page in the current scope and answers the address it is bound
 * to once it listens (PORT=0 picks a free port).
 */
export const serveScoped = Effect.gen(function*() {
  const settings = yield* WebConfig
  yield* checkWebSettings(settings, Option.isSome(yield* OidcConfig))
  yield* warnAboutReach(settings)
  const folders = yield* FolderConfig
  const schedule = yield* ScheduleConfig
  // One set of services for the server and the scheduled runs (one State, one rate limiter).
  const services = yield* Layer.build(appLayer({ publish: true }))
  const context = yield* Layer.build(
    serveLayer(folders, { host: settings.host, port: settings.port }).pipe(
      Layer.provide(OperationsLive),
      Layer.provide(Layer.succeedContext(services))
    )
  )
  if (Option.isSome(schedule)) {
    yield* Effect.logInfo("schedule_started").pipe(
      Effect.annotateLogs({ schedule: schedule.value.expression, time_zone: schedule.value.timeZone })
    )
    yield* Effect.forkScoped(runOnSchedule(schedule.value.cron, scheduledRun(folders).pipe(Effect.provide(services))))
  }
  return Context.get(context, HttpServer.HttpServer).address
})

/** Runs the HTTP admin API and page until interrupted (Ctrl-C). */
export const serveUntilInterrupted = serveScoped.pipe(Effect.zipRight(Effect.never), Effect.scoped)

export const serveCommand = Command.make("serve", {}, () => serveUntilInterrupted).pipe(
  Command.withDescription("Serve the HTTP admin API and admin page (PORT, HOST)")
)
