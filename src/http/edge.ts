import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import type { WebSettings } from "./config.js"
import { MAX_BODY_BYTES } from "./correlation.js"

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
    if (origin === undefined && request.headers["referer"] !== undefined) {
      origin = new URL(request.headers["referer"]).origin
    }
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
  const configured = [settings.storageLinks.apiUrl, settings.storageLinks.contentUrl].filter((u) =>
    !DEFAULT_DROPBOX.includes(u)
  )
  const origins = configured.flatMap((u) => {
    try {
      return [new URL(u).origin]
    } catch {
      return []
    }
  })
  return ["'self'", DROPBOX_LINK_HOSTS, ...new Set(origins)].join(" ")
}

/** A Content-Security-Policy: nothing by default, no plugin, no framing, requests and forms to this server. */
const policy = (sources: { readonly script: string; readonly style: string; readonly img: string }) =>
  [
    "default-src 'none'",
    `script-src ${sources.script}`,
    `style-src ${sources.style}`,
    `img-src ${sources.img}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'"
  ].join("; ")

/** The page's policy: its script and style files only, photos from itself and the storage's links. */
export const pagePolicy = (settings: WebSettings): string =>
  policy({ script: "'self'", style: "'self'", img: imageSources(settings) })

/** The inline scripts of an HTML document, as CSP hashes (JSON data blocks are not scripts). */
export const inlineScriptHashes = (html: string): ReadonlyArray<string> =>
  [...html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g)]
    .filter(([, attributes]) => !/type="application\/json"/.test(attributes ?? ""))
    .map(([, , body]) => `'sha256-${createHash("sha256").update(body ?? "").digest("base64")}'`)

/** Swagger UI's page: its own inline script allowed by hash (it styles its elements at run time). */
const docsPolicy = (response: HttpServerResponse.HttpServerResponse): string => {
  const html = response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : ""
  return policy({
    script: inlineScriptHashes(html).join(" ") || "'none'",
    style: "'self' 'unsafe-inline'",
    img: "'self' data:"
  })
}

const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

const refuse = (status: number, error: string, detail: string) =>
  HttpServerResponse.unsafeJson({ error, detail }, { status })

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"])

/** How deep a request's JSON may nest: our bodies are flat; a deeper one is an attack or a mistake. */
export const MAX_JSON_DEPTH = 32

/** The deepest nesting of arrays and objects in a JSON text, scanned without parsing (no recursion). */
export const jsonDepth = (text: string): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === "\\") i++
      else if (c === "\"") inString = false
    } else if (c === "\"") inString = true
    else if (c === "{" || c === "[") deepest = Math.max(deepest, ++depth)
    else if (c === "}" || c === "]") depth--
  }
  return deepest
}

/**
 * A JSON body is read here, within the size limit (declared or chunked: 413 either way), and
 * refused with a plain `{error, detail}` when it is empty, not JSON or nested too deeply; the
 * handler then decodes it from the same cached text.
 */
const checkJsonBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const read = yield* Effect.either(request.text)
    if (read._tag === "Left") {
      return /maxBytes/.test(String(read.left.cause))
        ? refuse(413, "Request body too large", `at most ${MAX_BODY_BYTES} bytes`)
        : refuse(400, "Unreadable request body", "the body could not be read")
    }
    if (Buffer.byteLength(read.right) > MAX_BODY_BYTES) {
      return refuse(413, "Request body too large", `at most ${MAX_BODY_BYTES} bytes`)
    }
    if (read.right.trim() === "") {
      return refuse(400, "Malformed JSON", "the body is empty: send a JSON object")
    }
    if (jsonDepth(read.right) > MAX_JSON_DEPTH) {
      return refuse(400, "Invalid request", `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`)
    }
    try {
      JSON.parse(read.right)
    } catch {
      // The parser's message quotes the body: not echoed.
      return refuse(400, "Malformed JSON", "the body is not valid JSON")
    }
    return undefined
  })

interface DecodeIssue {
  readonly _tag: string
  readonly path: ReadonlyArray<unknown>
  readonly message: string
}

/** One decode problem in words, without the value that was sent. */
const describeIssue = (issue: DecodeIssue): string | undefined => {
  const where = issue.path.length === 0 ? "the request" : issue.path.map(String).join(".")
  if (issue._tag === "Missing") return `${where} is required`
  if (/^Expected undefined\b/.test(issue.message)) return undefined // the "absent" side of an optional field
  const message = issue.message
    .replace(/, actual [\s\S]*$/, "")
    .replace(/^Unable to decode [\s\S]* into a (\w+)$/, "must be a $1")
    .replace(/^Expected /, "must be ")
  return `${where}: ${message}`
}

const jsonBodyOf = (response: HttpServerResponse.HttpServerResponse): unknown => {
  if (response.body._tag !== "Uint8Array") return undefined
  try {
    return JSON.parse(new TextDecoder().decode(response.body.body))
  } catch {
    return undefined
  }
}

const REASONS: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  413: "Request body too large",
  500: "Internal error"
}

/**
 * Every error answer is `{error, detail?}`: a schema decode failure becomes its problems in words
 * (no schema dump, no `_tag`, no echoed value), and an empty error body gets its reason.
 */
const plainErrors = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse => {
  if (response.status < 400) return response
  const body = jsonBodyOf(response) as
    | { readonly _tag?: unknown; readonly issues?: ReadonlyArray<DecodeIssue> }
    | undefined
  const replace = (json: object) =>
    HttpServerResponse.unsafeJson(json, {
      status: response.status,
      headers: response.headers,
      cookies: response.cookies
    })
  if (body !== undefined && body._tag === "HttpApiDecodeError") {
    const problems = [...new Set((body.issues ?? []).map(describeIssue).filter((d): d is string => d !== undefined))]
    return replace({ error: "Invalid request", detail: problems.join("; ") || "the request does not match the API" })
  }
  const empty = response.body._tag === "Empty" ||
    (response.body._tag === "Uint8Array" && response.body.body.length === 0)
  return empty ? replace({ error: REASONS[response.status] ?? `HTTP ${response.status}` }) : response
}

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
      return refuse(
        421,
        "Misdirected request",
        `this server does not answer for the host "${hostnameOf(host)}": add it to WEB_ALLOWED_HOSTS or set PUBLIC_URL`
      )
    }
    if (path.includes(";")) return refuse(404, "Not found", "paths may not contain ';'")
    // What a cross-site form can send (urlencoded, multipart, text/plain) never reaches a handler.
    const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    if (WRITES.has(request.method) && type !== "" && type !== "application/json") {
      return refuse(415, "Unsupported media type", "request bodies are JSON: send Content-Type: application/json")
    }
    if (WRITES.has(request.method) && type === "application/json") {
      const refused = yield* checkJsonBody(request)
      if (refused !== undefined) return refused
    }
    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.succeed(HttpServerResponse.setHeaders(plainErrors(response), {
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        ...((path.startsWith("/api/") || path === "/metrics") && response.headers["cache-control"] === undefined
          ? { "cache-control": "no-store" }
          : {}),
        ...(path === "/"
          ? { "content-security-policy": pagePolicy(settings), "x-frame-options": "DENY", "cache-control": "no-store" }
          : {}),
        ...(path === "/docs" ? { "content-security-policy": docsPolicy(response), "x-frame-options": "DENY" } : {})
      }))
    )
    return yield* app
  })
