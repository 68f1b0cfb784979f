/** Dropbox API v2 wire formats: error bodies, header JSON, arguments, naming rules. */
import { nameOf } from "./dropboxFiles.js"
import type { ThumbnailSpec } from "./dropboxThumbnails.js"
import type { Reply, Request } from "./http.js"

export const json = (body: object, status = 200): Reply => ({ status, body })
export const badRequest = (message: string): Reply => ({
  status: 400,
  body: `Error in call to API function: ${message}`
})

/** Dropbox's 409 body: `{error_summary: "a/b/..", error: {".tag": "a", a: {".tag": "b"}}}`. */
export const routeError = (tag: string, reason: string, detail?: string): Reply =>
  json({
    error_summary: `${tag}/${reason}/${detail !== undefined ? `${detail}/` : ""}..`,
    error: { ".tag": tag, [tag]: { ".tag": reason, ...(detail !== undefined ? { [reason]: { ".tag": detail } } : {}) } }
  }, 409)

export const errorReply = (status: number, retryAfter: number | undefined): Reply => {
  switch (status) {
    case 400:
      return badRequest("request body: could not decode input as JSON")
    case 401:
      return json({ error_summary: "invalid_access_token/..", error: { ".tag": "invalid_access_token" } }, 401)
    case 409:
      return routeError("path", "not_found")
    case 429:
      return {
        status: 429,
        headers: { "retry-after": String(retryAfter ?? 1) },
        body: {
          error_summary: "too_many_requests/..",
          error: { reason: { ".tag": "too_many_requests" }, retry_after: retryAfter ?? 1 }
        }
      }
    default:
      return { status, body: status >= 500 ? "Internal Server Error" : `Error ${status}` }
  }
}

/** HTTP headers carry ASCII only: Dropbox escapes the rest of its JSON as \uXXXX. */
export const headerJson = (value: object) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** The `Dropbox-API-Arg` of a content route (or `?arg=`); raw UTF-8 in the header is tolerated. */
export const apiArg = (request: Request): Record<string, unknown> | undefined => {
  const header = request.headers["dropbox-api-arg"]
  const raw = (Array.isArray(header) ? header[0] : header) ?? request.query.get("arg")
  if (raw === null || raw === undefined) return undefined
  try {
    const text = /[\u0080-\u00ff]/.test(raw) ? Buffer.from(raw, "latin1").toString("utf8") : raw
    const value: unknown = JSON.parse(text)
    return typeof value === "object" && value !== null ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

const MIME: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  txt: "text/plain; charset=utf-8",
  json: "application/json"
}
export const mimeOf = (path: string) =>
  MIME[nameOf(path).split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream"

/** `a.jpg` -> `a (1).jpg`, `a (2).jpg`, ... until `taken` says no. */
export const autorename = (path: string, taken: (p: string) => boolean) => {
  const dot = path.lastIndexOf(".")
  const [stem, ext] = dot > path.lastIndexOf("/") + 1 ? [path.slice(0, dot), path.slice(dot)] : [path, ""]
  let candidate = path
  for (let n = 1; taken(candidate); n++) candidate = `${stem} (${n})${ext}`
  return candidate
}

export const isOverwrite = (mode: unknown) =>
  mode === "overwrite" ||
  (typeof mode === "object" && mode !== null && (mode as { ".tag"?: unknown })[".tag"] === "overwrite")

/** A union member's tag, sent as `{".tag": "x"}` or, for a void member, as plain `"x"`. */
const tagOf = (value: unknown): unknown =>
  typeof value === "object" && value !== null ? (value as { ".tag"?: unknown })[".tag"] : value

const THUMBNAIL_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  w32h32: [32, 32],
  w64h64: [64, 64],
  w128h128: [128, 128],
  w256h256: [256, 256],
  w480h320: [480, 320],
  w640h480: [640, 480],
  w960h640: [960, 640],
  w1024h768: [1024, 768],
  w2048h1536: [2048, 1536]
}

/** Entries per `files/get_thumbnail_batch` call. */
export const THUMBNAIL_BATCH_LIMIT = 25

/**
 * One entry of `files/get_thumbnail_batch` with Dropbox's defaults (jpeg, w64h64, strict), or the
 * message of the 400 that Dropbox answers to a malformed one.
 */
export const thumbnailArg = (value: unknown): { path: string; spec: ThumbnailSpec } | string => {
  const entry = typeof value === "object" && value !== null ? value as Record<string, unknown> : {}
  if (typeof entry["path"] !== "string") return "request body: entries: path: missing required field"
  const format = tagOf(entry["format"] ?? "jpeg")
  const size = tagOf(entry["size"] ?? "w64h64")
  const mode = tagOf(entry["mode"] ?? "strict")
  if (format !== "jpeg" && format !== "png") return `request body: entries: format: unknown tag '${String(format)}'`
  const box = THUMBNAIL_SIZES[String(size)]
  if (box === undefined) return `request body: entries: size: unknown tag '${String(size)}'`
  if (mode !== "strict" && mode !== "bestfit" && mode !== "fitone_bestfit") {
    return `request body: entries: mode: unknown tag '${String(mode)}'`
  }
  return { path: entry["path"], spec: { format, width: box[0], height: box[1], mode } }
}
