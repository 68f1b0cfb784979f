import { describe, expect, it } from "@effect/vitest"
import { Context } from "effect"
import { Access, type AccessLevel, PublisherApi } from "../../src/http/Api.js"
import { image } from "../support/fakes.js"
import { makeApi, ORIGIN, PASSWORD, TOKEN } from "../support/webApi.js"

/**
 * The access-control matrix, generated from the HttpApi definition: every endpoint, for every
 * kind of caller, gets the status its `Access` level says. An endpoint without a level fails
 * here, so none can be added without its rule.
 */
type Caller = "anonymous" | "wrong bearer" | "bearer" | "basic" | "session" | "anonymous, AUTO_VIEW"

const USER = "ops"
const PASS = "basic-secret"
const basic = `Basic ${Buffer.from(`${USER}:${PASS}`).toString("base64")}`

/** What each level lets each caller do: "allowed" (the handler answers), or the refusal's status. */
const expected: Record<AccessLevel, Record<Caller, "allowed" | 401 | 403>> = {
  public: {
    anonymous: "allowed",
    "wrong bearer": "allowed",
    bearer: "allowed",
    basic: "allowed",
    session: "allowed",
    "anonymous, AUTO_VIEW": "allowed"
  },
  viewer: {
    anonymous: 401,
    "wrong bearer": 401,
    bearer: "allowed",
    basic: "allowed",
    session: "allowed",
    "anonymous, AUTO_VIEW": "allowed"
  },
  private: {
    anonymous: 401,
    "wrong bearer": 401,
    bearer: "allowed",
    basic: "allowed",
    session: "allowed",
    "anonymous, AUTO_VIEW": 401
  },
  // The API credential does not act as the admin: changes need a person logged in.
  admin: {
    anonymous: 403,
    "wrong bearer": 403,
    bearer: 403,
    basic: 403,
    session: "allowed",
    "anonymous, AUTO_VIEW": 403
  }
}

/** A valid body for each endpoint that takes one (a new one with a payload needs its entry). */
const payloads: Record<string, unknown> = {
  login: { password: PASSWORD },
  publish: {},
  setVoiceProfile: { voice_profile: ["A caption in our voice"] }
}

// Logout last: it ends the session the later rows would use.
const endpoints = Object.values(PublisherApi.groups).flatMap((group) =>
  Object.values(group.endpoints).map((endpoint) => ({
    name: endpoint.name,
    method: endpoint.method,
    path: endpoint.path.replace(":filename", "a.jpg"),
    access: Context.getOption(endpoint.annotations, Access),
    hasPayload: endpoint.method === "POST" && endpoint.payloadSchema._tag === "Some"
  }))
).sort((a, b) => Number(a.name === "logout") - Number(b.name === "logout"))

const config = { WEB_AUTH_USER: USER, WEB_AUTH_PASS: PASS }
const callers: ReadonlyArray<Caller> = [
  "anonymous",
  "wrong bearer",
  "bearer",
  "basic",
  "session",
  "anonymous, AUTO_VIEW"
]

const requestAs = async (caller: Caller) => {
  const api = makeApi(
    { images: [image("a.jpg"), image("b.jpg")], platforms: ["telegram"] },
    caller === "anonymous, AUTO_VIEW" ? { ...config, AUTO_VIEW: "true" } : config
  )
  const cookie = caller === "session" ? await api.login() : ""
  const authorization = caller === "bearer"
    ? `Bearer ${TOKEN}`
    : caller === "basic"
    ? basic
    : caller === "wrong bearer"
    ? "Bearer not-the-token"
    : ""
  // A login ends the session the browser sent (a new id at every login): it is sent none here.
  return (method: string, path: string, body?: unknown) =>
    api.call(method, path, {
      headers: { authorization, cookie: path === "/api/admin/login" ? "" : cookie, origin: ORIGIN },
      ...(body !== undefined ? { body } : {})
    })
}

describe("access control, generated from the HttpApi definition", () => {
  it("every endpoint has an access level, and every POST with a body has a sample", () => {
    expect(endpoints.filter((e) => e.access._tag === "None").map((e) => `${e.method} ${e.path}`)).toEqual([])
    expect(endpoints.filter((e) => e.hasPayload && !(e.name in payloads)).map((e) => e.name)).toEqual([])
    // Private by default: nothing that shows a photo is public.
    expect(
      endpoints.filter((e) =>
        e.path.startsWith("/api/images") && e.access._tag === "Some" && e.access.value === "public"
      )
    ).toEqual([])
  })

  for (const caller of callers) {
    it(`${caller}: each endpoint answers as its level says`, async () => {
      const call = await requestAs(caller)
      const seen: Array<string> = []
      const want: Array<string> = []
      for (const endpoint of endpoints) {
        const level = endpoint.access._tag === "Some" ? endpoint.access.value : "public"
        const response = await call(endpoint.method, endpoint.path, payloads[endpoint.name])
        const got = response.status === 401 || response.status === 403 ? response.status : "allowed"
        seen.push(`${endpoint.method} ${endpoint.path}: ${got}`)
        want.push(`${endpoint.method} ${endpoint.path}: ${expected[level][caller]}`)
        if (endpoint.method === "GET" && expected[level][caller] !== "allowed") {
          // HEAD is answered as GET: refused alike.
          seen.push(`HEAD ${endpoint.path}: ${(await call("HEAD", endpoint.path)).status}`)
          want.push(`HEAD ${endpoint.path}: ${expected[level][caller]}`)
        }
      }
      expect(seen).toEqual(want)
    })
  }

  it("CSRF variants, for every state-changing endpoint: no Origin, null, foreign Origin or Referer, and form-like bodies are refused", async () => {
    const variants: ReadonlyArray<readonly [string, Record<string, string>, number]> = [
      ["no Origin", { origin: "" }, 403],
      ["Origin null", { origin: "null" }, 403],
      ["foreign Origin", { origin: "http://evil.example" }, 403],
      ["foreign Referer", { origin: "", referer: "http://evil.example/x" }, 403],
      ["other scheme", { origin: "https://publisher.test" }, 403],
      ["form body", { "content-type": "application/x-www-form-urlencoded" }, 415],
      ["text/plain body", { "content-type": "text/plain" }, 415],
      ["multipart body", { "content-type": "multipart/form-data; boundary=b" }, 415]
    ]
    const writes = endpoints.filter((e) => e.method !== "GET")
    expect(writes.length).toBeGreaterThan(5)
    const seen: Array<string> = []
    const want: Array<string> = []
    for (const endpoint of writes) {
      for (const [label, headers, status] of variants) {
        const api = makeApi({ images: [image("a.jpg")], platforms: ["telegram"] })
        const cookie = await api.login()
        const body = payloads[endpoint.name]
        const response = await api.call(endpoint.method, endpoint.path, {
          headers: { cookie, origin: ORIGIN, ...headers },
          ...(headers["content-type"] !== undefined ? { raw: "a=1" } : body !== undefined ? { body } : {})
        })
        seen.push(`${endpoint.name} ${label}: ${response.status}`)
        want.push(`${endpoint.name} ${label}: ${status}`)
        expect(api.rec.published.length + api.rec.moves.length + api.rec.sidecarWrites.size).toBe(0)
      }
    }
    expect(seen).toEqual(want)
  })

  it("Host variants, for every endpoint: a foreign Host is 421 before anything else answers", async () => {
    const { call } = makeApi({ images: [image("a.jpg")] })
    for (const endpoint of endpoints) {
      for (const host of ["evil.example", "publisher.test.evil.example", "10.0.0.1:8000"]) {
        expect(
          (await call(endpoint.method, endpoint.path, {
            headers: { host, origin: `http://${host}` },
            ...(payloads[endpoint.name] !== undefined ? { body: payloads[endpoint.name] } : {})
          })).status,
          `${endpoint.name} ${host}`
        ).toBe(421)
      }
    }
  })

  it("deny by default: with no API credential configured, only a session opens the viewing endpoints", async () => {
    const { call, login } = makeApi({ images: [image("a.jpg")] }, { WEB_AUTH_TOKEN: "" })
    for (
      const path of [
        "/api/images/list",
        "/api/images/random",
        "/api/images/a.jpg",
        "/api/images/a.jpg/thumbnail",
        "/api/images/a.jpg/similar"
      ]
    ) {
      expect((await call("GET", path, { headers: { authorization: "" } })).status, path).toBe(401)
      expect((await call("GET", path, { headers: { authorization: "Bearer anything" } })).status, path).toBe(401)
    }
    const cookie = await login()
    expect((await call("GET", "/api/images/list", { headers: { authorization: "", cookie } })).status).toBe(200)
  })

  it("routes outside the API: the page and docs are public, /metrics needs METRICS_TOKEN, the API credential or a session", async () => {
    const { call, login } = makeApi({ images: [image("a.jpg")] }, { METRICS_TOKEN: "scrape-me" })
    expect((await call("GET", "/", { headers: { authorization: "" } })).status).toBe(200)
    expect((await call("GET", "/openapi.json", { headers: { authorization: "" } })).status).toBe(200)
    const anonymous = await call("GET", "/metrics", { headers: { authorization: "" } })
    expect(anonymous.status).toBe(401)
    expect(await anonymous.text()).not.toMatch(/publisher_/)
    expect((await call("GET", "/metrics", { headers: { authorization: "Bearer wrong" } })).status).toBe(401)
    expect((await call("GET", "/metrics", { headers: { authorization: "Bearer scrape-me" } })).status).toBe(200)
    expect((await call("GET", "/metrics")).status).toBe(200) // the API token
    expect((await call("GET", "/metrics", { headers: { authorization: "", cookie: await login() } })).status).toBe(200)
  })
})
