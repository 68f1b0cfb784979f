import { HttpServerResponse } from "@effect/platform"

/**
 * Private, revalidated caching of photo bytes: the browser may keep a copy for this user only
 * and must ask (`If-None-Match`) before reusing it; logout clears it (`Clear-Site-Data`).
 */
const CACHE_CONTROL = "private, no-cache"

/** Whether `If-None-Match` names `etag` (weak or strong, a list, or `*`). */
export const etagMatches = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false
  const wanted = etag.replace(/^W\//, "")
  return ifNoneMatch.split(",").map((t) => t.trim().replace(/^W\//, "")).some((t) => t === "*" || t === wanted)
}

/** A 304 for a copy the browser already has. */
export const notModified = (etag: string) =>
  HttpServerResponse.empty({ status: 304, headers: { etag, "cache-control": CACHE_CONTROL } })

/**
 * A single `bytes=` range of a file of `size` bytes: `[start, end]` inclusive, `"unsatisfiable"`,
 * or `undefined` (no range, several ranges or another unit: the whole file is sent, as RFC 9110 allows).
 */
export const parseRange = (
  header: string | undefined,
  size: number
): readonly [number, number] | "unsatisfiable" | undefined => {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (match === null) return undefined
  const [, from, to] = match
  if (from === "" && to === "") return undefined
  if (from === "") {
    const suffix = Number(to)
    return suffix === 0 || size === 0 ? "unsatisfiable" : [Math.max(0, size - suffix), size - 1]
  }
  const start = Number(from)
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1)
  return start >= size || end < start ? "unsatisfiable" : [start, end]
}

/** The bytes of a photo, or the part of them a `Range` asks for, with their validator. */
export const fileResponse = (
  bytes: Uint8Array,
  options: {
    readonly etag: string
    readonly contentType: string
    readonly range: string | undefined
    readonly filename: string
  }
) => {
  const headers = {
    etag: options.etag,
    "cache-control": CACHE_CONTROL,
    "accept-ranges": "bytes",
    // The name is the user's: only its ASCII-safe form goes in the plain parameter.
    "content-disposition": `inline; filename="${
      options.filename.replace(/[^\x20-\x7e]|["\\]/g, "_")
    }"; filename*=UTF-8''${encodeURIComponent(options.filename)}`
  }
  const range = parseRange(options.range, bytes.length)
  if (range === "unsatisfiable") {
    return HttpServerResponse.empty({
      status: 416,
      headers: { ...headers, "content-range": `bytes */${bytes.length}` }
    })
  }
  if (range === undefined) return HttpServerResponse.uint8Array(bytes, { headers, contentType: options.contentType })
  const [start, end] = range
  return HttpServerResponse.uint8Array(bytes.subarray(start, end + 1), {
    status: 206,
    headers: { ...headers, "content-range": `bytes ${start}-${end}/${bytes.length}` },
    contentType: options.contentType
  })
}
