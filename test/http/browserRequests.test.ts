import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { inlineScriptHashes } from "../../src/http/edge.js"
import { clientAddress, makeLoginThrottle, makeSessions } from "../../src/http/security.js"
import { image } from "../support/fakes.js"
import { makeApi, ORIGIN, PASSWORD } from "../support/webApi.js"

const images = [image("a.jpg"), image("b.jpg")]

describe("requests from browsers", () => {
  it("Host allowlist (DNS rebinding): loopback, WEB_ALLOWED_HOSTS and PUBLIC_URL's host are answered, any other is 421", async () => {
    const { call } = makeApi({ images }, { WEB_ALLOWED_HOSTS: "photos.lan, Other.Example" })
    for (
      const host of [
        "127.0.0.1:8000",
        "localhost",
        "[::1]:8000",
        "127.1.2.3",
        "photos.lan:8000",
        "other.example",
        "publisher.test"
      ]
    ) {
      expect((await call("GET", "/health", { headers: { host } })).status, host).toBe(200)
    }
    for (const host of ["evil.example", "publisher.test.evil.example", "photos.lan.evil", "192.168.1.5:8000"]) {
      const response = await call("GET", "/api/images/list", { headers: { host } })
      expect(response.status, host).toBe(421)
      expect(await response.json()).toMatchObject({
        error: "Misdirected request",
        detail: expect.stringMatching(/WEB_ALLOWED_HOSTS or set PUBLIC_URL/)
      })
    }
  })

  it("CSRF: only the configured origin (scheme included) may change anything; no Origin, null, foreign ones and foreign Referers are 403", async () => {
    const { call, login, rec } = makeApi({ images })
    const cookie = await login()
    const keep = (headers: Record<string, string>) =>
      call("POST", "/api/images/a.jpg/keep", { headers: { cookie, ...headers } })
    const refused: Array<[string, Record<string, string>]> = [
      ["no Origin or Referer", {}],
      ["Origin null", { origin: "null" }],
      ["foreign Origin", { origin: "http://evil.example" }],
      ["same host, other scheme", { origin: "https://publisher.test" }],
      ["same host, other port", { origin: "http://publisher.test:8080" }],
      ["foreign Referer", { referer: "http://evil.example/page" }],
      // The old rule compared Origin with the request's own Host.
      ["Host and Origin both foreign", { host: "evil.example", origin: "http://evil.example" }]
    ]
    for (const [label, headers] of refused) {
      expect([403, 421], label).toContain((await keep(headers)).status)
    }
    expect(rec.moves).toEqual([])
    expect((await keep({ referer: `${ORIGIN}/` })).status).toBe(200)
    expect(rec.moves).toHaveLength(1)
  })

  it("loopback origins are accepted when they are the request's own host (no PUBLIC_URL needed on this machine)", async () => {
    const { call } = makeApi({ images }, { PUBLIC_URL: "" })
    const login = (headers: Record<string, string>) =>
      call("POST", "/api/admin/login", {
        body: { password: PASSWORD },
        headers: { host: "127.0.0.1:8000", ...headers }
      })
    expect((await login({ origin: "http://127.0.0.1:8000" })).status).toBe(200)
    expect((await login({ origin: "http://127.0.0.1:9999" })).status).toBe(403)
    expect((await login({ origin: "http://localhost:8000" })).status).toBe(403)
  })

  it("bodies are JSON only: form, text/plain and multipart bodies (what a cross-site form can send) are 415 and change nothing", async () => {
    const { call, login, rec } = makeApi({ images })
    const cookie = await login()
    for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
      const response = await call("POST", "/api/images/a.jpg/publish", {
        raw: "platforms=telegram",
        headers: { cookie, origin: ORIGIN, "content-type": type }
      })
      expect(response.status, type).toBe(415)
    }
    expect(rec.published).toEqual([])
  })

  it("headers: nosniff everywhere, no-store on private answers, a strict CSP and no framing for the page and the docs", async () => {
    const { call } = makeApi({ images })
    for (const path of ["/health", "/api/images/list", "/api/nothing-here", "/", "/assets/admin.js", "/metrics"]) {
      expect((await call("GET", path)).headers.get("x-content-type-options"), path).toBe("nosniff")
    }
    expect((await call("GET", "/api/images/list")).headers.get("cache-control")).toBe("no-store")
    expect((await call("GET", "/api/images/list", { headers: { authorization: "" } })).headers.get("cache-control"))
      .toBe("no-store")
    const page = await call("GET", "/")
    const csp = page.headers.get("content-security-policy")!
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain("unsafe-inline")
    for (const directive of ["frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'", "form-action 'self'"]) {
      expect(csp).toContain(directive)
    }
    // Dropbox storage: its temporary link hosts, nothing else.
    expect(csp).toMatch(/img-src 'self' https:\/\/\*\.dl\.dropboxusercontent\.com(;|$)/)
    expect(page.headers.get("x-frame-options")).toBe("DENY")
    const html = await page.text()
    expect(html).not.toMatch(/<script>|<style>|\son[a-z]+=/)
    expect((await call("GET", "/assets/admin.js")).headers.get("content-type")).toMatch(/^text\/javascript/)
    const docs = await call("GET", "/docs")
    const docsCsp = docs.headers.get("content-security-policy")!
    expect(docs.headers.get("x-frame-options")).toBe("DENY")
    expect(docsCsp).toContain("frame-ancestors 'none'")
    // Exactly its own inline script is allowed, by hash.
    expect(docsCsp).toContain(`script-src ${inlineScriptHashes(await docs.text()).join(" ")};`)
    expect(docsCsp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*';/)
  })

  it("a local folder's page may load images from itself only", async () => {
    const { call } = makeApi({ images }, { STORAGE: "local" })
    expect((await call("GET", "/")).headers.get("content-security-policy")).toContain("img-src 'self';")
  })

  it("sessions: __Host- cookie when Secure, a new id at every login (the old one ends), logout clears the browser's cache", async () => {
    const { call, login } = makeApi({ images })
    const first = await login()
    expect(first).toMatch(/^__Host-publisher_admin=/)
    const again = await call("POST", "/api/admin/login", {
      body: { password: PASSWORD },
      headers: { origin: ORIGIN, cookie: first }
    })
    const second = (again.headers.get("set-cookie") ?? "").split(";")[0]!
    expect(second).not.toBe(first)
    expect(await (await call("GET", "/api/admin/status", { headers: { cookie: first } })).json()).toMatchObject({
      admin: false
    })
    expect(await (await call("GET", "/api/admin/status", { headers: { cookie: second } })).json()).toMatchObject({
      admin: true
    })
    const out = await call("POST", "/api/admin/logout", { headers: { cookie: second, origin: ORIGIN } })
    expect(out.headers.get("clear-site-data")).toBe("\"cache\"")
    const plain = makeApi({ images }, { WEB_SECURE_COOKIES: "false" })
    expect(await plain.login()).toMatch(/^publisher_admin=/)
  })

  it.effect("sessions end after WEB_ADMIN_IDLE_SECONDS without use, and after the absolute lifetime in any case", () =>
    Effect.gen(function*() {
      const sessions = yield* makeSessions(3600, 600)
      const id = yield* sessions.create
      yield* TestClock.adjust("9 minutes")
      expect(yield* sessions.isValid(id)).toBe(true)
      yield* TestClock.adjust("9 minutes") // used 9 minutes ago: still alive
      expect(yield* sessions.isValid(id)).toBe(true)
      yield* TestClock.adjust("11 minutes")
      expect(yield* sessions.isValid(id)).toBe(false)
      const busy = yield* sessions.create
      for (let i = 0; i < 7; i++) {
        yield* TestClock.adjust("9 minutes")
        expect(yield* sessions.isValid(busy)).toBe(i < 6) // 63 minutes > the hour
      }
    }))

  it("login throttle: 429 with Retry-After after five failures from a client", async () => {
    const { call } = makeApi({ images })
    for (let i = 0; i < 5; i++) {
      await call("POST", "/api/admin/login", { body: { password: "guess" }, headers: { origin: ORIGIN } })
    }
    const blocked = await call("POST", "/api/admin/login", {
      body: { password: PASSWORD },
      headers: { origin: ORIGIN }
    })
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0)
    expect(Number(blocked.headers.get("retry-after"))).toBeLessThanOrEqual(60)
  })

  it.effect("login throttle: a global cap across clients; idle clients are forgotten; Retry-After counts down", () =>
    Effect.gen(function*() {
      const throttle = yield* makeLoginThrottle({ perClient: 5, global: 20, windowMs: 60_000 })
      for (let i = 0; i < 20; i++) yield* throttle.fail(`10.0.0.${i}`)
      // Nobody failed five times, but twenty failures in a minute close the door for everyone.
      expect(yield* throttle.retryAfter("10.0.0.200")).toEqual(Option.some(60))
      yield* TestClock.adjust("45 seconds")
      expect(yield* throttle.retryAfter("10.0.0.200")).toEqual(Option.some(15))
      yield* TestClock.adjust("16 seconds")
      expect(yield* throttle.retryAfter("10.0.0.200")).toEqual(Option.none())
    }))

  it("the client address: the socket's, or X-Forwarded-For only through TRUSTED_PROXIES", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", [])).toBe("203.0.113.9")
    expect(clientAddress("10.0.0.2", "198.51.100.1", ["10.0.0.1"])).toBe("10.0.0.2")
    expect(clientAddress("10.0.0.1", "198.51.100.1", ["10.0.0.1"])).toBe("198.51.100.1")
    // A client's forged entries are on the left; the nearest untrusted hop is the client.
    expect(clientAddress("::ffff:10.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.5", ["10.0.0.1", "10.0.0.5"])).toBe(
      "198.51.100.1"
    )
  })
})
