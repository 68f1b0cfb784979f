import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A failure injected into one route of an emulator. */
export interface Fault {
  /** Answer with this status (and the service's own error body for it). */
  readonly status?: number
  readonly retryAfterSeconds?: number
  /**
   * Replaces the service's error body: an object is sent as JSON, a string as it is (a proxy's
   * page: `{ status: 503, body: "<html>...</html>", contentType: "text/html" }`).
   */
  readonly body?: unknown
  /** The content type of the faulted answer (default: the body's, JSON for an object, text/plain for a string). */
  readonly contentType?: string
  /** Destroy the connection without answering. */
  readonly drop?: boolean
  /** Do the work, then destroy the connection instead of answering (a reply lost on the way). */
  readonly dropAfter?: boolean
  /** Answer the status and headers and half the body, then destroy the connection. */
  readonly truncate?: boolean
  /** Extra delay before answering (or failing). */
  readonly latencyMs?: number
  /** How many requests it affects (default: all). */
  readonly times?: number
}

export interface Emulator {
  readonly url: string
  /** Requests per route, faulted ones included. */
  readonly calls: Record<string, number>
  readonly inject: (route: string, fault: Fault) => void
  readonly clearFaults: () => void
  readonly close: () => Promise<void>
}

export interface Request {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingMessage["headers"]
  readonly body: Buffer
}

export interface Reply {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body: Buffer | string | object
}

export interface Service {
  /** The logical route of a request (`files/list_folder`), or undefined for 404. */
  readonly route: (request: Request) => string | undefined
  readonly handle: (route: string, request: Request) => Promise<Reply> | Reply
  /** The service's own error body for a status. */
  readonly errorReply: (status: number, retryAfterSeconds: number | undefined) => Reply
}

export interface EmulatorOptions {
  /** Base latency per route, in ms. */
  readonly latency?: Partial<Record<string, number>> | undefined
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

const send = (res: ServerResponse, reply: Reply) => {
  const isBuffer = Buffer.isBuffer(reply.body)
  const body = isBuffer || typeof reply.body === "string" ? reply.body as Buffer | string : JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    "content-type": isBuffer
      ? "application/octet-stream"
      : typeof reply.body === "string"
      ? "text/plain; charset=utf-8"
      : "application/json",
    ...reply.headers
  })
  res.end(body)
}

/** Starts `service` on 127.0.0.1 (random port) with call counting, latency and fault injection. */
export const startEmulator = async (service: Service, options: EmulatorOptions = {}): Promise<Emulator> => {
  const calls: Record<string, number> = {}
  const faults = new Map<string, { fault: Fault; left: number }>()

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      const request: Request = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: await readBody(req)
      }
      const route = service.route(request)
      if (route === undefined) {
        return send(res, { status: 404, body: { error: `no route ${request.method} ${request.path}` } })
      }
      calls[route] = (calls[route] ?? 0) + 1
      const latency = options.latency?.[route] ?? 0
      const injected = faults.get(route)
      if (injected !== undefined) {
        injected.left -= 1
        if (injected.left <= 0) faults.delete(route)
        const { fault } = injected
        await sleep(latency + (fault.latencyMs ?? 0))
        if (fault.drop) return void req.socket.destroy()
        if (fault.dropAfter) {
          await service.handle(route, request)
          return void req.socket.destroy()
        }
        if (fault.truncate) {
          const reply = await service.handle(route, request)
          const body = Buffer.isBuffer(reply.body)
            ? reply.body
            : Buffer.from(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body))
          res.writeHead(reply.status, { ...reply.headers, "content-length": String(body.length) })
          res.write(body.subarray(0, Math.floor(body.length / 2)))
          return void setTimeout(() => req.socket.destroy(), 20)
        }
        if (fault.status !== undefined) {
          const reply = service.errorReply(fault.status, fault.retryAfterSeconds)
          return send(res, {
            ...reply,
            ...(fault.body !== undefined ? { body: fault.body as object } : {}),
            headers: {
              ...reply.headers,
              ...(fault.contentType !== undefined ? { "content-type": fault.contentType } : {}),
              ...(fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {})
            }
          })
        }
      } else if (latency > 0) {
        await sleep(latency)
      }
      send(res, await service.handle(route, request))
    } catch (error) {
      send(res, { status: 500, body: { error: error instanceof Error ? error.message : String(error) } })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    inject: (route, fault) => void faults.set(route, { fault, left: fault.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => faults.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** Parses a JSON body; an empty or bad body is `{}` (the service then answers 400 by its rules). */
export const jsonBody = (request: Request): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(request.body.toString("utf8") || "{}")
    return typeof value === "object" && value !== null ? value as Record<string, unknown> : {}
  } catch {
    return {}
  }
}
