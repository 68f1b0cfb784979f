import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { connect } from "node:net"
import { ADMIN_PASSWORD, API_TOKEN, startWebSandbox } from "../support/webServer.js"

/** One raw HTTP/1.1 exchange over a socket: what a proxy or a hostile client can send, byte for byte. */
const raw = (url: string, request: string | Buffer) =>
  Effect.async<{ readonly status: number; readonly text: string; readonly reset: boolean }>((resume) => {
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname)
    const chunks: Array<Buffer> = []
    let reset = false
    socket.on("data", (c) => chunks.push(c))
    socket.on("error", () => {
      reset = true
    })
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8")
      resume(Effect.succeed({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text, reset }))
    })
    socket.write(request)
    socket.end()
  })

const bodyOf = (text: string) => text.slice(text.indexOf("\r\n\r\n") + 4)

describe("the HTTP edge over a real socket", () => {
  it.live(
    "a raw ';' in a path is 404 (never answered as the path before it); chunked bodies over the limit are 413, not a reset",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { url } = yield* startWebSandbox({ images: 1 })
        const host = new URL(url).host
        for (const path of ["/api/images/photo-001.jpg;x/thumbnail", "/metrics;x", "/api/images/list;"]) {
          const response = yield* raw(
            url,
            `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${API_TOKEN}\r\nConnection: close\r\n\r\n`
          )
          expect(response.status, path).toBe(404)
          expect(JSON.parse(bodyOf(response.text))).toMatchObject({ error: "Not found" })
        }
        const chunk = "x".repeat(16 * 1024)
        const chunks = Array.from({ length: 8 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("")
        const big = yield* raw(
          url,
          `POST /api/admin/login HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${url}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks}0\r\n\r\n`
        )
        expect({ status: big.status, reset: big.reset }).toEqual({ status: 413, reset: false })
        expect(JSON.parse(bodyOf(big.text))).toMatchObject({ error: "Request body too large" })
        // A small chunked body is read as usual.
        const body = JSON.stringify({ password: ADMIN_PASSWORD })
        const small = yield* raw(
          url,
          `POST /api/admin/login HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${url}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${
            body.length.toString(16)
          }\r\n${body}\r\n0\r\n\r\n`
        )
        expect(small.status).toBe(200)
      })),
    60_000
  )
})
