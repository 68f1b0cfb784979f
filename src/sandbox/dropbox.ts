import { randomUUID } from "node:crypto"
import { DropboxFiles, fileMetadata, folderMetadata } from "./dropboxFiles.js"
import { type Emulator, type EmulatorOptions, jsonBody, type Reply, type Request, startEmulator } from "./http.js"

export interface DropboxOptions extends EmulatorOptions {
  /** Entries per list page (a request's smaller `limit` wins). Default 2000, as Dropbox. */
  readonly pageSize?: number
  readonly appKey?: string
  readonly appSecret?: string
  readonly refreshToken?: string
  /** A fixed access token that is always accepted. */
  readonly accessToken?: string
}

export interface DropboxEmulator extends Emulator {
  readonly files: DropboxFiles
  /** Access tokens issued by `oauth2/token`. */
  readonly issuedTokens: ReadonlyArray<string>
}

const json = (body: object, status = 200): Reply => ({ status, body })

const pathError = (status: number, summary: string, error: object): Reply => json({ error_summary: summary, error }, status)
const notFound = (tag = "path") =>
  pathError(409, `${tag}/not_found/..`, { ".tag": tag, [tag]: { ".tag": "not_found" } })

/** HTTP headers carry ASCII only: Dropbox escapes the rest of its JSON as \uXXXX. */
const headerJson = (value: object) => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

const apiArg = (request: Request): Record<string, unknown> => {
  const raw = request.headers["dropbox-api-arg"] ?? request.query.get("arg") ?? "{}"
  try {
    return JSON.parse(Array.isArray(raw) ? raw[0] ?? "{}" : raw) as Record<string, unknown>
  } catch {
    return {}
  }
}

const errorReply = (status: number, retryAfter: number | undefined): Reply => {
  switch (status) {
    case 401:
      return json({ error_summary: "invalid_access_token/..", error: { ".tag": "invalid_access_token" } }, 401)
    case 409:
      return notFound()
    case 429:
      return json({
        error_summary: "too_many_requests/..",
        error: { reason: { ".tag": "too_many_requests" }, retry_after: retryAfter ?? 1 }
      }, 429)
    default:
      return { status, body: `Error ${status}` }
  }
}

/** Dropbox API v2 (API and content hosts on one server) with an in-memory file store. */
export const startDropbox = async (options: DropboxOptions = {}): Promise<DropboxEmulator> => {
  const files = new DropboxFiles()
  const tokens = new Set<string>(options.accessToken ? [options.accessToken] : [])
  const issued: Array<string> = []
  const cursors = new Map<string, { readonly entries: Array<object>; readonly limit: number; offset: number }>()
  const jobs = new Map<string, Array<object>>()
  const temporaryLinks = new Map<string, string>()
  const pageSize = options.pageSize ?? 2000

  const page = (cursorId: string): Reply => {
    const cursor = cursors.get(cursorId)
    if (cursor === undefined) return pathError(409, "reset/..", { ".tag": "reset" })
    const entries = cursor.entries.slice(cursor.offset, cursor.offset + cursor.limit)
    cursor.offset += entries.length
    return json({ entries, cursor: cursorId, has_more: cursor.offset < cursor.entries.length })
  }

  const moveOne = (from: string, to: string, autorename: boolean): { ok: object } | { error: Reply } => {
    if (!files.exists(from)) return { error: pathError(409, "from_lookup/not_found/..", { ".tag": "from_lookup", from_lookup: { ".tag": "not_found" } }) }
    let target = to
    if (files.exists(target)) {
      if (!autorename) return { error: pathError(409, "to/conflict/file/..", { ".tag": "to", to: { ".tag": "conflict", conflict: { ".tag": "file" } } }) }
      const dot = to.lastIndexOf(".")
      for (let n = 1; files.exists(target); n++) target = dot > to.lastIndexOf("/") ? `${to.slice(0, dot)} (${n})${to.slice(dot)}` : `${to} (${n})`
    }
    return { ok: fileMetadata(files.move(from, target)!) }
  }

  const handle = (route: string, request: Request): Reply => {
    if (route === "oauth2/token") {
      // The SDK sends the grant in the query string; other clients send a form body.
      const form = new URLSearchParams(request.body.length > 0 ? request.body.toString("utf8") : request.query)
      const basic = request.headers.authorization?.startsWith("Basic ")
        ? Buffer.from(request.headers.authorization.slice(6), "base64").toString("utf8").split(":")
        : []
      const clientId = form.get("client_id") ?? basic[0]
      const secret = form.get("client_secret") ?? basic[1]
      if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== options.refreshToken) {
        return json({ error: "invalid_grant", error_description: "refresh token is malformed" }, 400)
      }
      if (clientId !== options.appKey || (options.appSecret !== undefined && secret !== options.appSecret)) {
        return json({ error: "invalid_client", error_description: "Invalid client_id or client_secret" }, 400)
      }
      const token = `sl.sandbox-${randomUUID()}`
      tokens.add(token)
      issued.push(token)
      return json({ access_token: token, token_type: "bearer", expires_in: 14400 })
    }
    if (route === "temp") {
      const path = temporaryLinks.get(request.path.slice("/temp/".length))
      const file = path === undefined ? undefined : files.get(path)
      return file === undefined ? { status: 404, body: "gone" } : { status: 200, headers: { "content-type": "image/jpeg" }, body: file.bytes() }
    }
    const auth = request.headers.authorization ?? ""
    if (!auth.startsWith("Bearer ") || !tokens.has(auth.slice(7))) return errorReply(401, undefined)

    const content = route === "files/download" || route === "files/upload"
    const arg = content ? apiArg(request) : jsonBody(request)
    const path = typeof arg["path"] === "string" ? arg["path"] : ""
    switch (route) {
      case "files/list_folder": {
        const folder = path.replace(/\/+$/, "")
        if (!files.folderExists(folder)) return notFound()
        const limit = Math.min(pageSize, typeof arg["limit"] === "number" ? arg["limit"] : pageSize)
        const entries: Array<object> = [...files.subfolders(folder).map(folderMetadata), ...files.list(folder).map(fileMetadata)]
        const id = randomUUID()
        cursors.set(id, { entries, limit, offset: 0 })
        return page(id)
      }
      case "files/list_folder/continue":
        return page(String(arg["cursor"] ?? ""))
      case "files/download": {
        const file = files.get(path)
        if (file === undefined) return notFound()
        return { status: 200, headers: { "dropbox-api-result": headerJson(fileMetadata(file)) }, body: file.bytes() }
      }
      case "files/upload": {
        const mode = arg["mode"]
        const overwrite = mode === "overwrite" || (typeof mode === "object" && mode !== null && (mode as { ".tag"?: string })[".tag"] === "overwrite")
        if (files.exists(path) && !overwrite) return pathError(409, "path/conflict/file/..", { ".tag": "path", reason: { ".tag": "conflict" } })
        return json(fileMetadata(files.put(path, request.body)))
      }
      case "files/get_temporary_link": {
        const file = files.get(path)
        if (file === undefined) return notFound()
        const token = randomUUID()
        temporaryLinks.set(token, path)
        return json({ metadata: fileMetadata(file), link: `${server.url}/temp/${token}` })
      }
      case "files/get_metadata": {
        const file = files.get(path)
        if (file !== undefined) return json(fileMetadata(file))
        return files.folderExists(path) && path !== "" ? json(folderMetadata(path)) : notFound()
      }
      case "files/delete_v2": {
        const file = files.delete(path)
        return file === undefined ? pathError(409, "path_lookup/not_found/..", { ".tag": "path_lookup", path_lookup: { ".tag": "not_found" } }) : json({ metadata: fileMetadata(file) })
      }
      case "files/create_folder_v2":
        return json({ metadata: folderMetadata(path) })
      case "files/move_v2": {
        const moved = moveOne(String(arg["from_path"]), String(arg["to_path"]), arg["autorename"] === true)
        return "error" in moved ? moved.error : json({ metadata: moved.ok })
      }
      case "files/move_batch_v2": {
        const entries = Array.isArray(arg["entries"]) ? arg["entries"] as Array<{ from_path: string; to_path: string }> : []
        const results = entries.map((e) => {
          const moved = moveOne(e.from_path, e.to_path, arg["autorename"] === true)
          return "error" in moved
            ? { ".tag": "failure", failure: (moved.error.body as { error: object }).error }
            : { ".tag": "success", success: moved.ok }
        })
        const id = `dbjid:${randomUUID()}`
        jobs.set(id, results)
        return json({ ".tag": "async_job_id", async_job_id: id })
      }
      case "files/move_batch/check_v2": {
        const results = jobs.get(String(arg["async_job_id"]))
        return results === undefined
          ? pathError(409, "invalid_async_job_id/..", { ".tag": "invalid_async_job_id" })
          : json({ ".tag": "complete", entries: results })
      }
      default:
        return { status: 404, body: "unknown route" }
    }
  }

  const server = await startEmulator({
    route: (request) => {
      if (request.method === "GET" && request.path.startsWith("/temp/")) return "temp"
      if (request.method !== "POST") return undefined
      if (request.path === "/oauth2/token") return "oauth2/token"
      return request.path.startsWith("/2/") ? request.path.slice(3) : undefined
    },
    handle,
    errorReply
  }, options)
  return { ...server, files, issuedTokens: issued }
}

