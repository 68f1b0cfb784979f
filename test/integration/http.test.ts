import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { callsSince } from "../../src/sandbox/sandbox.js"
import { ADMIN_PASSWORD, API_TOKEN, startWebSandbox } from "../support/webServer.js"

const fetchJson = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, body: await response.json() as Record<string, any> }
  })

describe("HTTP server over a real socket, real layers against the emulators", () => {
  it.live(
    "random -> analyze (AI, sidecar written) -> analyze again (sidecar, zero AI) -> publish to all three",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { sandbox, url } = yield* startWebSandbox({ images: 2 })
        const auth = { authorization: `Bearer ${API_TOKEN}` }
        const random = yield* fetchJson(`${url}/api/images/random`, { headers: { ...auth, "x-request-id": "it-1" } })
        expect(random.status).toBe(200)
        expect(random.headers.get("x-correlation-id")).toBe("it-1")
        expect(random.body["has_sidecar"]).toBe(false)
        const image = yield* Effect.promise(() => fetch(random.body["temp_url"]).then((r) => r.arrayBuffer()))
        expect(image.byteLength).toBeGreaterThan(1000)

        const login = yield* Effect.promise(() =>
          fetch(`${url}/api/admin/login`, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json", origin: url },
            body: JSON.stringify({ password: ADMIN_PASSWORD })
          })
        )
        const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!
        const admin = { ...auth, cookie, origin: url }
        const name = encodeURIComponent(random.body["filename"])

        let before = sandbox.calls()
        const analyzed = yield* fetchJson(`${url}/api/images/${name}/analyze`, { method: "POST", headers: admin })
        expect(analyzed.body).toMatchObject({ sidecar_written: true, from_sidecar: false })
        expect(callsSince(before, sandbox.calls())["openai:chat/completions"]).toBe(2)

        before = sandbox.calls()
        const again = yield* fetchJson(`${url}/api/images/${name}/analyze`, { method: "POST", headers: admin })
        expect(again.body).toMatchObject({ from_sidecar: true, caption: analyzed.body["caption"] })
        expect(callsSince(before, sandbox.calls())["openai:chat/completions"]).toBeUndefined()

        before = sandbox.calls()
        const published = yield* fetchJson(`${url}/api/images/${name}/publish`, {
          method: "POST",
          headers: { ...admin, "content-type": "application/json" },
          body: "{}"
        })
        expect(published.body).toMatchObject({ any_success: true, archived: true })
        expect(Object.keys(published.body["results"]).sort()).toEqual(["email", "instagram", "telegram"])
        // The caption came from the sidecar: publishing made no AI call.
        expect(callsSince(before, sandbox.calls())["openai:chat/completions"]).toBeUndefined()
        expect(sandbox.telegram.messages[0]?.caption).toBe(analyzed.body["caption"])
      })),
    60_000
  )

  it.live("the real server refuses an oversized body with 413", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url } = yield* startWebSandbox({ images: 1 })
      const response = yield* Effect.promise(() =>
        fetch(`${url}/api/admin/login`, {
          method: "POST",
          headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ password: ADMIN_PASSWORD, pad: "x".repeat(300_000) })
        })
      )
      expect(response.status).toBe(413)
    })))

  it.live("GET / serves the admin page; /openapi.json documents the API; /docs is Swagger UI", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url } = yield* startWebSandbox({ images: 1 })
      const page = yield* Effect.promise(() =>
        fetch(url).then(async (r) => ({ type: r.headers.get("content-type"), text: await r.text() }))
      )
      expect(page.type).toMatch(/text\/html/)
      expect(page.text).toContain("<title>Publisher</title>")
      const spec = yield* fetchJson(`${url}/openapi.json`)
      expect(Object.keys(spec.body["paths"])).toEqual(
        expect.arrayContaining([
          "/api/images/random",
          "/api/images/{filename}/analyze",
          "/api/admin/login",
          "/health/ready"
        ])
      )
      const docs = yield* Effect.promise(() => fetch(`${url}/docs`).then((r) => r.text()))
      expect(docs).toMatch(/swagger/i)
    })))
})
