import { createHash } from "node:crypto"
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import type { WebSettings } from "./config.js"

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export const isLoopbackHost = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)

/** The name in a `Host` value (`[::1]:8000` -> `::1`, `Example.org:443` -> `example.org`). */
export const hostnameOf = (host: string): string => {
  const lower = host.trim().toLowerCase()
  if (lower.startsWith("[")) return lower.slice(1, lower.indexOf("]") === -1 ? undefined : lower.indexOf("]"))
  const colon = lower.lastIndexOf(":")
  return colon === -1 ? lower : lower.slice(0, colon)
}

const requestHost = (request: HttpServerRequest.HttpServerRequest): string => {
  const given = request.headers["host"]
  if (given !== undefined) return given
  try {
    return new URL(request.originalUrl).host
  } catch {
    return ""
  }
}

/**
 * Against DNS rebinding: a page on a name the attacker controls that resolves to this server
 * must not be answered. Loopback, `WEB_ALLOWED_HOSTS` and the host of `PUBLIC_URL` are.
 */
export const hostAllowed = (settings: WebSettings, host: string): boolean => {
  const name = hostnameOf(host)
  return name !== "" && (isLoopbackHost(name) || settings.allowedHosts.includes(name) ||
    (settings.publicUrl._tag === "Some" && settings.publicUrl.value.hostname.toLowerCase() === name))
}

/**
 * CSRF: a state-changing request must come from a page of this server. Its `Origin` (or, without
 * one, `Referer`) must be `PUBLIC_URL`'s origin, scheme included, or an allowed loopback /
 * `WEB_ALLOWED_HOSTS` origin equal to the request's host. No origin at all, or `null`, is refused.
 */
export const originAllowed = (settings: WebSettings, request: HttpServerRequest.HttpServerRequest): boolean => {
  let origin = request.headers["origin"]
  try {
    if (origin === undefined && request.headers["referer"] !== undefined) origin = new URL(request.headers["referer"]).origin
    if (origin === undefined || origin === "null") return false
    if (settings.publicUrl._tag === "Some" && origin === settings.publicUrl.value.origin) return true
    const url = new URL(origin)
    const name = url.hostname.replace(/^\[|\]$/g, "").toLowerCase()
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === requestHost(request).toLowerCase() &&
      (isLoopbackHost(name) || settings.allowedHosts.includes(name))
  } catch {
    return false
  }
}

const DROPBOX_LINK_HOSTS = "https://*.dl.dropboxusercontent.com"
const DEFAULT_DROPBOX = ["https://api.dropboxapi.com", "https://content.dropboxapi.com"]

/** Where the page may load photos from: itself, and the storage's temporary links. */
const imageSources = (settings: WebSettings): string => {
  if (settings.storageKind === "local") return "'self'"
  const configured = [settings.storageLinks.apiUrl, settings.storageLinks.contentUrl].filter((u) => !DEFAULT_DROPBOX.includes(u))
  const origins = configured.flatMap((u) => {
    try {
      return [new URL(u).origin]
    } catch {
      return []
    }
  })
  return ["'self'", DROPBOX_LINK_HOSTS, ...new Set(origins)].join(" ")
}

/** The page's policy: no inline script, no plugin, no framing, forms and requests to itself only. */
export const pagePolicy = (settings: WebSettings): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${imageSources(settings)}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'"
  ].join("; ")

/** The inline scripts of an HTML document, as CSP hashes (JSON data blocks are not scripts). */
export const inlineScriptHashes = (html: string): ReadonlyArray<string> =>
  [...html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g)]
    .filter(([, attributes]) => !/type="application\/json"/.test(attributes ?? ""))
    .map(([, , body]) => `'sha256-${createHash("sha256").update(body ?? "").digest("base64")}'`)

/** Swagger UI's page: its own inline script allowed by hash, nothing else inline. */
const docsPolicy = (response: HttpServerResponse.HttpServerResponse): string => {
  const html = response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : ""
  return [
    "default-src 'none'",
    `script-src ${inlineScriptHashes(html).join(" ") || "'none'"}`,
    // Swagger UI styles its elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'"
  ].join("; ")
}

const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

const refuse = (status: number, error: string, detail: string) => HttpServerResponse.unsafeJson({ error, detail }, { status })

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"])

/**
 * The HTTP edge, before any route: the Host allowlist (421), a raw `;` in a path (404: a proxy's
 * path rules must mean what they say here), JSON-only bodies (415); and on every response
 * `nosniff`, `no-store` for private API answers, and the page's and docs' CSP and framing rules.
 */
export const edgeMiddleware = (settings: WebSettings) => <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = pathOf(request.url)
    const host = requestHost(request)
    if (!hostAllowed(settings, host)) {
      return refuse(421, "Misdirected request", `this server does not answer for the host "${hostnameOf(host)}": add it to WEB_ALLOWED_HOSTS or set PUBLIC_URL`)
    }
    if (path.includes(";")) return refuse(404, "Not found", "paths may not contain ';'")
    // What a cross-site form can send (urlencoded, multipart, text/plain) never reaches a handler.
    const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    if (WRITES.has(request.method) && type !== "" && type !== "application/json") {
      return refuse(415, "Unsupported media type", "request bodies are JSON: send Content-Type: application/json")
    }
    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.succeed(HttpServerResponse.setHeaders(response, {
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        ...((path.startsWith("/api/") || path === "/metrics") && response.headers["cache-control"] === undefined ? { "cache-control": "no-store" } : {}),
        ...(path === "/" ? { "content-security-policy": pagePolicy(settings), "x-frame-options": "DENY", "cache-control": "no-store" } : {}),
        ...(path === "/docs" ? { "content-security-policy": docsPolicy(response), "x-frame-options": "DENY" } : {})
      }))
    )
    return yield* app
  })
