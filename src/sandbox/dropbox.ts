import { randomBytes, randomUUID } from "node:crypto"
import {
  DropboxFiles,
  fileMetadata,
  type FolderEntry,
  folderMetadata,
  lower,
  normalize,
  type StoredFile
} from "./dropboxFiles.js"
import { renderThumbnail } from "./dropboxThumbnails.js"
import {
  apiArg,
  autorename,
  badRequest,
  errorReply,
  headerJson,
  isOverwrite,
  json,
  mimeOf,
  routeError,
  THUMBNAIL_BATCH_LIMIT,
  thumbnailArg
} from "./dropboxWire.js"
import { type Emulator, type EmulatorOptions, jsonBody, type Reply, type Request, startEmulator } from "./http.js"

export interface DropboxOptions extends EmulatorOptions {
  /** Entries per list page (a request's smaller `limit` wins). Default 2000, as Dropbox. */
  readonly pageSize?: number
  readonly appKey?: string
  readonly appSecret?: string
  readonly refreshToken?: string
  /** A fixed access token that is always accepted. */
  readonly accessToken?: string
  /** Files present from the start: path -> bytes. */
  readonly files?: Readonly<Record<string, Uint8Array>>
}

export interface DropboxEmulator extends Emulator {
  readonly files: DropboxFiles
  /** Access tokens issued by `oauth2/token`. */
  readonly issuedTokens: ReadonlyArray<string>
}

/** A list_folder walk in progress: a live view of the folder plus one entry of look-ahead. */
interface Listing {
  readonly entries: Iterator<FolderEntry, void>
  next: IteratorResult<FolderEntry, void>
  readonly limit: number
}

/** A cursor: where its listing stands, and its answer once given (a retried call gets the same). */
interface Cursor {
  readonly listing: Listing
  readonly previous: string | undefined
  answer?: Reply
}

/** Dropbox API v2 (API and content hosts on one server) with an in-memory file store. */
export const startDropbox = async (options: DropboxOptions = {}): Promise<DropboxEmulator> => {
  const files = new DropboxFiles()
  for (const [path, bytes] of Object.entries(options.files ?? {})) files.put(path, bytes)
  const tokens = new Set<string>(options.accessToken !== undefined ? [options.accessToken] : [])
  const issued: Array<string> = []
  const cursors = new Map<string, Cursor>()
  const jobs = new Map<string, Array<object>>()
  const temporaryLinks = new Map<string, StoredFile>()
  const pageSize = options.pageSize ?? 2000
  let url = ""

  const taken = (path: string) => files.exists(path) || files.folderExists(path)
  const metadataOf = (path: string) => {
    const file = files.get(path)
    if (file !== undefined) return fileMetadata(file)
    const folder = files.folderDisplay(path)
    return folder !== undefined && folder !== "" ? folderMetadata(folder) : undefined
  }

  /** The next page of a listing, under a fresh cursor that continues it. */
  const page = (listing: Listing, previous: string | undefined): Reply => {
    const entries: Array<object> = []
    while (!listing.next.done && entries.length < listing.limit) {
      const entry = listing.next.value
      entries.push(entry.kind === "folder" ? folderMetadata(entry.pathDisplay) : fileMetadata(entry.file))
      listing.next = listing.entries.next()
    }
    const cursor = `AA${randomBytes(30).toString("base64url")}`
    cursors.set(cursor, { listing, previous })
    return json({ entries, cursor, has_more: !listing.next.done })
  }

  const listFolder = (arg: Record<string, unknown>): Reply => {
    const path = typeof arg["path"] === "string" ? arg["path"] : ""
    if (path === "/") return badRequest("path: Specify the root folder as an empty string rather than as \"/\".")
    if (files.exists(path)) return routeError("path", "not_folder")
    if (!files.folderExists(path)) return routeError("path", "not_found")
    const limit = Math.max(1, Math.min(pageSize, typeof arg["limit"] === "number" ? arg["limit"] : pageSize))
    const entries = files.children(path)
    return page({ entries, next: entries.next(), limit }, undefined)
  }

  const listContinue = (id: string): Reply => {
    const cursor = cursors.get(id)
    if (cursor === undefined) return json({ error_summary: "reset/..", error: { ".tag": "reset" } }, 409)
    if (cursor.answer === undefined) {
      cursor.answer = page(cursor.listing, id)
      if (cursor.previous !== undefined) cursors.delete(cursor.previous)
    }
    return cursor.answer
  }

  /** One relocation: the moved entry's metadata, or Dropbox's RelocationError. */
  const relocate = (from: string, to: string, rename: boolean): { ok: object } | { error: Reply } => {
    const isFile = files.exists(from)
    if (!isFile && (!files.folderExists(from) || normalize(from) === "")) {
      return { error: routeError("from_lookup", "not_found") }
    }
    const sameEntry = lower(normalize(from)) === lower(normalize(to))
    let target = normalize(to)
    if (taken(target) && !sameEntry) {
      if (!rename) return { error: routeError("to", "conflict", files.exists(target) ? "file" : "folder") }
      target = autorename(target, taken)
    }
    if (isFile) return { ok: fileMetadata(files.move(from, target)!) }
    if (lower(target).startsWith(`${lower(normalize(from))}/`)) {
      return {
        error: json({
          error_summary: "cant_move_folder_into_itself/..",
          error: { ".tag": "cant_move_folder_into_itself" }
        }, 409)
      }
    }
    files.moveFolder(from, target)
    return { ok: folderMetadata(target) }
  }

  /**
   * `files/get_thumbnail_batch` (content host, RPC style): per entry, in request order, the file's
   * metadata with its base64 thumbnail, or the entry's ThumbnailError.
   */
  const thumbnailBatch = async (arg: Record<string, unknown>): Promise<Reply> => {
    const entries = arg["entries"]
    if (!Array.isArray(entries)) return badRequest("request body: entries: missing required field")
    // Dropbox answers a route error (409 too_many_files) for a batch over its limit.
    if (entries.length > THUMBNAIL_BATCH_LIMIT) {
      return json({ error_summary: "too_many_files/", error: { ".tag": "too_many_files" } }, 409)
    }
    const parsed = entries.map(thumbnailArg)
    const invalid = parsed.find((p) => typeof p === "string")
    if (invalid !== undefined) return badRequest(invalid)
    const results = await Promise.all(parsed.map(async (p) => {
      const { path, spec } = p as Exclude<typeof p, string>
      const file = files.get(path)
      const failure = (error: object) => ({ ".tag": "failure", failure: error })
      if (file === undefined) {
        return failure(
          (routeError("path", files.folderExists(path) ? "not_file" : "not_found").body as { error: object }).error
        )
      }
      const thumbnail = await renderThumbnail(file, spec)
      return typeof thumbnail === "string"
        ? failure({ ".tag": thumbnail })
        : { ".tag": "success", metadata: fileMetadata(file), thumbnail: thumbnail.toString("base64") }
    }))
    return json({ entries: results })
  }

  const token = (request: Request): Reply => {
    // The SDK sends the grant in the query string; other clients send a form body.
    const form = new URLSearchParams(request.body.length > 0 ? request.body.toString("utf8") : request.query)
    const auth = request.headers.authorization ?? ""
    const basic = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString("utf8").split(":") : []
    const clientId = form.get("client_id") ?? basic[0]
    const secret = form.get("client_secret") ?? basic[1]
    if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== options.refreshToken) {
      return json({ error: "invalid_grant", error_description: "refresh token is malformed" }, 400)
    }
    if (clientId !== options.appKey || (options.appSecret !== undefined && secret !== options.appSecret)) {
      return json({ error: "invalid_client", error_description: "Invalid client_id or client_secret" }, 400)
    }
    const accessToken = `sl.sandbox-${randomUUID()}`
    tokens.add(accessToken)
    issued.push(accessToken)
    return json({ access_token: accessToken, token_type: "bearer", expires_in: 14400 })
  }

  const handle = (route: string, request: Request): Reply | Promise<Reply> => {
    if (route === "oauth2/token") return token(request)
    if (route === "temp") {
      const file = temporaryLinks.get(request.path.slice("/temp/".length))
      return file === undefined
        ? { status: 410, body: "This link has expired." }
        : { status: 200, headers: { "content-type": mimeOf(file.pathDisplay) }, body: file.bytes() }
    }
    const auth = request.headers.authorization ?? ""
    if (!auth.startsWith("Bearer ") || !tokens.has(auth.slice(7))) return errorReply(401, undefined)

    const content = route === "files/download" || route === "files/upload"
    const arg = content ? apiArg(request) : jsonBody(request)
    if (arg === undefined) return badRequest("Dropbox-API-Arg: missing or not JSON")
    const path = typeof arg["path"] === "string" ? arg["path"] : ""
    switch (route) {
      case "files/list_folder":
        return listFolder(arg)
      case "files/list_folder/continue":
        return listContinue(String(arg["cursor"] ?? ""))
      case "files/download": {
        const file = files.get(path)
        if (file === undefined) return routeError("path", files.folderExists(path) ? "not_file" : "not_found")
        return { status: 200, headers: { "dropbox-api-result": headerJson(fileMetadata(file)) }, body: file.bytes() }
      }
      case "files/upload": {
        let target = normalize(path)
        if (taken(target) && !(files.exists(target) && isOverwrite(arg["mode"]))) {
          if (arg["autorename"] !== true) {
            const kind = files.exists(target) ? "file" : "folder"
            return json({
              error_summary: `path/conflict/${kind}/..`,
              error: {
                ".tag": "path",
                reason: { ".tag": "conflict", conflict: { ".tag": kind } },
                upload_session_id: randomUUID()
              }
            }, 409)
          }
          target = autorename(target, taken)
        }
        return json(fileMetadata(files.put(target, request.body)))
      }
      case "files/get_temporary_link": {
        const file = files.get(path)
        if (file === undefined) return routeError("path", files.folderExists(path) ? "not_file" : "not_found")
        const id = randomBytes(18).toString("base64url")
        temporaryLinks.set(id, file)
        return json({ metadata: fileMetadata(file), link: `${url}/temp/${id}` })
      }
      case "files/get_thumbnail_batch":
        return thumbnailBatch(arg)
      case "files/get_metadata": {
        if (normalize(path) === "") return badRequest("path: The root folder is unsupported.")
        const metadata = metadataOf(path)
        return metadata !== undefined ? json(metadata) : routeError("path", "not_found")
      }
      case "files/delete_v2": {
        const metadata = metadataOf(path)
        if (metadata === undefined) return routeError("path_lookup", "not_found")
        if (!files.delete(path)) files.deleteFolder(path)
        return json({ metadata })
      }
      case "files/create_folder_v2": {
        let target = normalize(path)
        if (taken(target)) {
          if (arg["autorename"] !== true) {
            return routeError("path", "conflict", files.exists(target) ? "file" : "folder")
          }
          target = autorename(target, taken)
        }
        files.createFolder(target)
        return json({ metadata: folderMetadata(target) })
      }
      case "files/move_v2": {
        const moved = relocate(String(arg["from_path"] ?? ""), String(arg["to_path"] ?? ""), arg["autorename"] === true)
        return "error" in moved ? moved.error : json({ metadata: moved.ok })
      }
      case "files/move_batch_v2": {
        const entries = Array.isArray(arg["entries"])
          ? arg["entries"] as Array<{ from_path?: unknown; to_path?: unknown }>
          : []
        const results = entries.map((e) => {
          const moved = relocate(String(e.from_path ?? ""), String(e.to_path ?? ""), arg["autorename"] === true)
          return "error" in moved
            ? {
              ".tag": "failure",
              failure: { ".tag": "relocation_error", relocation_error: (moved.error.body as { error: object }).error }
            }
            : { ".tag": "success", success: moved.ok }
        })
        const id = `dbjid:${randomBytes(24).toString("base64url")}`
        jobs.set(id, results)
        return json({ ".tag": "async_job_id", async_job_id: id })
      }
      case "files/move_batch/check_v2": {
        const results = jobs.get(String(arg["async_job_id"] ?? ""))
        return results === undefined
          ? json({ error_summary: "invalid_async_job_id/..", error: { ".tag": "invalid_async_job_id" } }, 409)
          : json({ ".tag": "complete", entries: results })
      }
      default:
        return badRequest(`Unknown API function: "${route}"`)
    }
  }

  const server = await startEmulator({
    route: (request) => {
      if ((request.method === "GET" || request.method === "HEAD") && request.path.startsWith("/temp/")) return "temp"
      if (request.method !== "POST") return undefined
      if (request.path === "/oauth2/token") return "oauth2/token"
      return request.path.startsWith("/2/") ? request.path.slice(3) : undefined
    },
    handle,
    errorReply
  }, options)
  url = server.url
  return { ...server, files, issuedTokens: issued }
}
