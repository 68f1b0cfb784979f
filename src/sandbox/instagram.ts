import sharp from "sharp"
import { type Emulator, type EmulatorOptions, type Reply, startEmulator } from "./http.js"

export interface InstagramOptions extends EmulatorOptions {
  readonly userId: string
  readonly token: string
  /** Status polls that answer IN_PROGRESS before a container is FINISHED (default 2). */
  readonly inProgressPolls?: number
  /** Posts allowed per 24 hours (default 100) and already used (default 0). */
  readonly quotaTotal?: number
  readonly quotaUsage?: number
}

export interface InstagramMedia {
  readonly id: string
  readonly container: string
  readonly caption: string
  readonly width: number
  readonly height: number
  readonly bytes: number
}

interface Container {
  readonly id: string
  readonly caption: string
  polls: number
  status: "IN_PROGRESS" | "FINISHED" | "ERROR" | "PUBLISHED"
  problem?: string
  width: number
  height: number
  bytes: number
}

export interface InstagramEmulator extends Emulator {
  readonly media: ReadonlyArray<InstagramMedia>
  /** Containers rejected for their image, with the reason. */
  readonly rejected: ReadonlyArray<string>
  setQuotaUsage(n: number): void
}

const graphError = (status: number, message: string, code: number, transient = false, subcode?: number): Reply => ({
  status,
  body: {
    error: {
      message,
      type: "OAuthException",
      code,
      ...(subcode !== undefined ? { error_subcode: subcode } : {}),
      is_transient: transient,
      fbtrace_id: "sandbox"
    }
  }
})

/** Checks the image Instagram would fetch: JPEG, <= 8 MB, ratio 4:5..1.91:1, width <= 1440. */
const inspect = async (url: string): Promise<{ problem?: string; width: number; height: number; bytes: number }> => {
  const response = await fetch(url)
  if (!response.ok) return { problem: `image_url answered HTTP ${response.status}`, width: 0, height: 0, bytes: 0 }
  const bytes = Buffer.from(await response.arrayBuffer())
  const meta = await sharp(bytes).metadata().catch(() => undefined)
  const width = meta?.width ?? 0
  const height = meta?.height ?? 0
  const facts = { width, height, bytes: bytes.length }
  if (meta?.format !== "jpeg") return { ...facts, problem: `only JPEG is supported (got ${meta?.format ?? "unknown"})` }
  if (bytes.length > 8 * 1024 * 1024) return { ...facts, problem: "the image is larger than 8 MB" }
  const ratio = width / height
  if (ratio < 0.8 - 1e-9 || ratio > 1.91 + 1e-9) {
    return { ...facts, problem: `the aspect ratio ${ratio.toFixed(3)} is not supported` }
  }
  if (width > 1440) return { ...facts, problem: `the width ${width} is over 1440` }
  return facts
}

/** Instagram Graph API content publishing: containers, status polls, media_publish, quota. */
export const startInstagram = async (options: InstagramOptions): Promise<InstagramEmulator> => {
  const containers = new Map<string, Container>()
  const media: Array<InstagramMedia> = []
  const rejected: Array<string> = []
  let quotaUsage = options.quotaUsage ?? 0
  let next = 17_841_000_000_000
  const inProgress = options.inProgressPolls ?? 2

  const server = await startEmulator({
    route: (request) => {
      const parts = request.path.split("/").filter((p) => p !== "" && !/^v\d+\.\d+$/.test(p))
      if (parts.length === 2 && parts[0] === options.userId) {
        if (parts[1] === "content_publishing_limit" && request.method === "GET") return "content_publishing_limit"
        if (parts[1] === "media" && request.method === "POST") return "media"
        if (parts[1] === "media_publish" && request.method === "POST") return "media_publish"
      }
      if (parts.length === 1 && request.method === "GET") {
        return parts[0] === options.userId
          ? "account"
          : "container_status"
      }
      return undefined
    },
    errorReply: (status, retryAfter) =>
      status === 429 || status >= 500
        ? {
          ...graphError(
            status,
            status === 429
              ? "Application request limit reached"
              : "An unexpected error has occurred. Please retry your request later.",
            status === 429 ? 4 : 2,
            true
          ),
          ...(retryAfter !== undefined ? { headers: { "retry-after": String(retryAfter) } } : {})
        }
        : graphError(status, "Invalid parameter", 100),
    handle: async (route, request) => {
      if (request.headers.authorization !== `Bearer ${options.token}`) {
        return graphError(400, "Invalid OAuth access token - Cannot parse access token", 190)
      }
      const params = new URLSearchParams(request.method === "POST" ? request.body.toString("utf8") : request.query)
      switch (route) {
        case "account":
          return { status: 200, body: { id: options.userId, username: "publisher_sandbox" } }
        case "content_publishing_limit":
          return {
            status: 200,
            body: {
              data: [{
                quota_usage: quotaUsage,
                config: { quota_total: options.quotaTotal ?? 100, quota_duration: 86400 }
              }]
            }
          }
        case "media": {
          const imageUrl = params.get("image_url")
          if (!imageUrl) return graphError(400, "The parameter image_url is required", 100)
          const facts = await inspect(imageUrl).catch((e: unknown) => ({
            problem: `cannot fetch image_url (${String(e)})`,
            width: 0,
            height: 0,
            bytes: 0
          }))
          const id = String(next++)
          const container: Container = {
            id,
            caption: params.get("caption") ?? "",
            polls: 0,
            status: "IN_PROGRESS",
            ...facts
          }
          if (facts.problem !== undefined) {
            container.problem = facts.problem
            rejected.push(facts.problem)
          }
          containers.set(id, container)
          return { status: 200, body: { id } }
        }
        case "container_status": {
          const id = request.path.split("/").filter((p) => p !== "").pop() ?? ""
          const container = containers.get(id)
          if (container === undefined) {
            return graphError(400, `Unsupported get request. Object with ID '${id}' does not exist`, 100, false, 33)
          }
          if (container.status === "IN_PROGRESS") {
            container.polls += 1
            if (container.polls > inProgress) container.status = container.problem === undefined ? "FINISHED" : "ERROR"
          }
          return { status: 200, body: { status_code: container.status, id } }
        }
        case "media_publish": {
          const container = containers.get(params.get("creation_id") ?? "")
          if (container === undefined) return graphError(400, "The media container does not exist", 100, false, 2207008)
          if (container.status === "PUBLISHED") {
            return graphError(400, "The media has already been published", 9007, false, 2207006)
          }
          if (container.status !== "FINISHED") return graphError(400, "Media ID is not available", 9007, false, 2207027)
          if (quotaUsage >= (options.quotaTotal ?? 100)) {
            return graphError(400, "Application request limit reached", 9, false, 2207042)
          }
          container.status = "PUBLISHED"
          quotaUsage += 1
          const id = String(next++)
          media.push({
            id,
            container: container.id,
            caption: container.caption,
            width: container.width,
            height: container.height,
            bytes: container.bytes
          })
          return { status: 200, body: { id } }
        }
        default:
          return graphError(400, "Unknown path components", 2500)
      }
    }
  }, options)
  return { ...server, media, rejected, setQuotaUsage: (n) => void (quotaUsage = n) }
}
