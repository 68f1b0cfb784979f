import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { checkWebSettings } from "../../src/cli/commands/serve.js"
import { renderSidecar } from "../../src/domain/CaptionSidecar.js"
import { WebConfig } from "../../src/http/config.js"
import { image, sampleAnalysis, sampleCaptions } from "../support/fakes.js"
import { makeApi, ORIGIN, PASSWORD, TOKEN } from "../support/webApi.js"

const images = [image("a.jpg"), image("b.jpg")]

describe("HTTP API (toWebHandler, fake services)", () => {
  it("health: live and ready", async () => {
    const { call } = makeApi({ images })
    expect(await (await call("GET", "/health/live")).json()).toEqual({ status: "ok" })
    expect(await (await call("GET", "/health", { headers: {} })).json()).toEqual({ status: "ok" })
    const ready = await call("GET", "/health/ready")
    expect(ready.status).toBe(200)
  })

  it("WEB_AUTH_TOKEN protects the API; basic auth works with WEB_AUTH_USER/PASS", async () => {
    const { call } = makeApi({ images }, { WEB_AUTH_USER: "ops", WEB_AUTH_PASS: "s3cret" })
    expect((await call("GET", "/api/images/random", { headers: { authorization: "" } })).status).toBe(401)
    expect((await call("GET", "/api/images/random", { headers: { authorization: "Bearer nope" } })).status).toBe(401)
    expect((await call("GET", "/api/images/random")).status).toBe(200)
    const basic = `Basic ${Buffer.from("ops:s3cret").toString("base64")}`
    expect((await call("GET", "/api/images/random", { headers: { authorization: basic } })).status).toBe(200)
    const body = await (await call("GET", "/api/images/random", { headers: { authorization: "Bearer nope" } }))
      .json() as { error: string }
    expect(JSON.stringify(body)).not.toContain(TOKEN)
    expect(body.error).toBe("Unauthorized")
  })

  it("echoes a sane X-Request-ID as X-Correlation-ID, else a new UUID", async () => {
    const { call } = makeApi({ images })
    expect(
      (await call("GET", "/health/live", { headers: { "x-request-id": "req-42" } })).headers.get("x-correlation-id")
    ).toBe("req-42")
    const fresh = (await call("GET", "/health/live", { headers: { "x-request-id": "bad id\u0007<script>" } })).headers
      .get("x-correlation-id")
    expect(fresh).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it("admin login: HttpOnly, SameSite=Strict, Secure session cookie; status; server-side logout", async () => {
    const { call, login } = makeApi({ images })
    const response = await call("POST", "/api/admin/login", {
      body: { password: PASSWORD },
      headers: { origin: ORIGIN }
    })
    const setCookie = response.headers.get("set-cookie") ?? ""
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Strict/i)
    expect(setCookie).toMatch(/Secure/i)
    expect(setCookie).toMatch(/Max-Age=3600/i)
    const cookie = await login()
    expect(await (await call("GET", "/api/admin/status", { headers: { cookie } })).json()).toEqual({
      admin: true,
      error: null
    })
    await call("POST", "/api/admin/logout", { headers: { cookie, origin: ORIGIN } })
    expect(await (await call("GET", "/api/admin/status", { headers: { cookie } })).json()).toEqual({
      admin: false,
      error: null
    })
  })

  it("wrong passwords: 401, then 429 after five failures from the same client", async () => {
    const { call } = makeApi({ images })
    const statuses: Array<number> = []
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await call("POST", "/api/admin/login", { body: { password: "guess" }, headers: { origin: ORIGIN } })).status
      )
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
    expect(
      (await call("POST", "/api/admin/login", { body: { password: PASSWORD }, headers: { origin: ORIGIN } })).status
    ).toBe(429)
  })

  it("admin actions need the session and the same origin (CSRF)", async () => {
    const { admin, call, login, rec } = makeApi({ images })
    expect((await call("POST", "/api/images/a.jpg/keep")).status).toBe(403)
    const cookie = await login()
    expect((await call("POST", "/api/images/a.jpg/keep", { headers: { cookie, origin: "http://evil.test" } })).status)
      .toBe(403)
    expect(rec.moves).toEqual([])
    const kept = await admin("POST", "/api/images/a.jpg/keep")
    expect(await kept.json()).toEqual({
      filename: "a.jpg",
      action: "keep",
      destination_folder: "/photos/keep",
      preview_only: false
    })
    expect(rec.moves).toEqual([{ from: "/photos/a.jpg", to: "/photos/keep/a.jpg" }])
  })

  it("filenames: separators and .. are 400, unlisted names 404, and neither reaches storage", async () => {
    const { admin, rec } = makeApi({ images })
    expect((await admin("POST", "/api/images/..%2F..%2Fetc%2Fpasswd/analyze")).status).toBe(400)
    expect((await admin("POST", "/api/images/a..jpg/analyze")).status).toBe(400)
    expect((await admin("POST", "/api/images/missing.jpg/analyze")).status).toBe(404)
    expect(rec.downloads).toEqual([])
    expect(rec.sidecarReads).toEqual([])
  })

  it("analyze answers from the sidecar with zero AI calls; force_refresh asks the model and writes it", async () => {
    const sidecar = renderSidecar({
      image: images[0]!,
      sha256: "0".repeat(64),
      analysis: sampleAnalysis,
      captions: sampleCaptions,
      models: { vision: "v", caption: "c" },
      created: "2026-01-01T00:00:00Z"
    })
    const { admin, rec } = makeApi({ images: [image("a.jpg", "hash-a", true)], sidecars: { "/photos/a.txt": sidecar } })
    const cached = await (await admin("POST", "/api/images/a.jpg/analyze")).json()
    expect(cached).toMatchObject({
      filename: "a.jpg",
      caption: sampleCaptions.caption,
      sd_caption: sampleCaptions.sd_caption,
      from_sidecar: true,
      sidecar_written: false,
      tags: sampleAnalysis.tags
    })
    expect(rec.aiCalls).toEqual([])
    const fresh = await (await admin("POST", "/api/images/a.jpg/analyze?force_refresh=true")).json()
    expect(fresh).toMatchObject({ from_sidecar: false, sidecar_written: true })
    expect(rec.aiCalls).toEqual(["analyze", "captionPair"])
    expect(rec.sidecarWrites.has("/photos/a.txt")).toBe(true)
  })

  it("a .txt that is not a sidecar (the user's notes) is not shown as captions, and analyze keeps it as NAME.notes.txt", async () => {
    const { admin, call, rec } = makeApi({
      images: [image("a.jpg", "hash-a", true)],
      sidecars: { "/photos/a.txt": "ask Anna first" }
    })
    expect(await (await call("GET", "/api/images/a.jpg")).json()).toMatchObject({
      has_sidecar: false,
      caption: null,
      sd_caption: null
    })
    const analyzed = await (await admin("POST", "/api/images/a.jpg/analyze")).json()
    expect(analyzed).toMatchObject({ from_sidecar: false, sidecar_written: true })
    expect(rec.aiCalls).toEqual(["analyze", "captionPair"])
    expect(new TextDecoder().decode(rec.uploads.get("/photos/a.notes.txt"))).toBe("ask Anna first")
    expect(rec.sidecarWrites.get("/photos/a.txt")).toMatch(/# ---/)
  })

  it("analyze shows the caption as a run would post it (CAPTION_HASHTAGS added) and each enabled platform's caption", async () => {
    const sidecar = renderSidecar({
      image: images[0]!,
      sha256: "0".repeat(64),
      analysis: sampleAnalysis,
      captions: sampleCaptions,
      models: { vision: "v", caption: "c" },
      created: "2026-01-01T00:00:00Z"
    })
    const config = { CAPTION_HASHTAGS: "#film", EMAIL_SENDER: "me@example.com" }
    const { admin } = makeApi(
      { images: [image("a.jpg", "hash-a", true)], sidecars: { "/photos/a.txt": sidecar } },
      config
    )
    for (const path of ["/api/images/a.jpg/analyze", "/api/images/a.jpg/analyze?force_refresh=true"]) {
      const body = await (await admin("POST", path)).json() as {
        caption: string
        platform_captions: Record<string, string>
      }
      expect(body.caption).toBe(`${sampleCaptions.caption} #film`)
      // TELEGRAM_BOT_TOKEN (the test default) and EMAIL_SENDER turn those two on.
      expect(body.platform_captions).toEqual({ telegram: body.caption, email: "Evening light on the old lighthouse" })
    }
  })

  it("list and one image, as publisher_v2 answered them (names sorted; the image with its link and sidecar)", async () => {
    const { call, rec } = makeApi({
      images: [image("c.jpg"), image("a.jpg", "hash-a", true), image("b.jpg")],
      sidecars: { "/photos/a.txt": "sd of a\n\n# ---\n# caption: Caption of a\n" }
    })
    expect(await (await call("GET", "/api/images/list")).json()).toEqual({
      filenames: ["a.jpg", "b.jpg", "c.jpg"],
      count: 3
    })
    const one = await (await call("GET", "/api/images/a.jpg")).json() as { temp_url: string }
    expect(one).toMatchObject({
      filename: "a.jpg",
      content_hash: "hash-a",
      caption: "Caption of a",
      sd_caption: "sd of a",
      has_sidecar: true
    })
    expect(one.temp_url).toMatch(/a\.jpg/)
    expect((await call("GET", "/api/images/missing.jpg")).status).toBe(404)
    expect((await call("GET", "/api/images/..%2Fx.jpg")).status).toBe(400)
    expect((await call("GET", "/api/images/list", { headers: { authorization: "Bearer wrong" } })).status).toBe(401)
    expect(rec.downloads).toEqual([])
  })

  it("random: the image list is cached, concurrent misses share one listing, link and sidecar are read", async () => {
    const { call, rec } = makeApi({ images })
    const responses = await Promise.all([
      call("GET", "/api/images/random"),
      call("GET", "/api/images/random"),
      call("GET", "/api/images/random")
    ])
    const bodies = await Promise.all(responses.map((r) => r.json()))
    expect(rec.lists).toHaveLength(1)
    expect(bodies[0]).toMatchObject({
      has_sidecar: false,
      caption: null,
      temp_url: expect.stringMatching(/^https:\/\/example\.test\//)
    })
    expect(rec.downloads).toEqual([])
  })

  it("keep invalidates the cached list", async () => {
    const { admin, call, rec } = makeApi({ images })
    await call("GET", "/api/images/random")
    await admin("POST", "/api/images/a.jpg/remove")
    await call("GET", "/api/images/random")
    expect(rec.lists).toHaveLength(2)
    expect(rec.moves[0]!.to).toBe("/photos/reject/a.jpg")
  })

  it("publish runs the workflow for that file and answers per platform", async () => {
    const { admin, rec } = makeApi({ images, platforms: ["telegram", "email"], failing: ["email"] })
    const body = await (await admin("POST", "/api/images/b.jpg/publish", {})).json()
    expect(body).toEqual({
      filename: "b.jpg",
      results: {
        telegram: { success: true, status: "published", post_id: "telegram-1", error: null },
        email: { success: false, status: "failed", post_id: null, error: "email is down" }
      },
      archived: false,
      any_success: true
    })
    expect(rec.published.map((p) => p.image)).toEqual(["b.jpg"])
  })

  it("publish answers 409 while another run holds the publishing lease, and publishes nothing", async () => {
    const { admin, rec } = makeApi({ images, platforms: ["telegram"] })
    const now = Date.now()
    rec.leases.set("publishing", {
      owner: "cron-run",
      host: "another-machine",
      pid: 7,
      acquiredAt: now,
      expiresAt: now + 3_600_000
    })
    const response = await admin("POST", "/api/images/b.jpg/publish", {})
    expect(response.status).toBe(409)
    expect(await response.json()).toMatchObject({
      error: "Another run is publishing",
      detail: expect.stringMatching(/run cron-run, pid 7 on another-machine/)
    })
    expect(rec.published).toEqual([])
    rec.leases.clear()
    expect((await admin("POST", "/api/images/b.jpg/publish", {})).status).toBe(200)
    expect(rec.published.map((p) => p.image)).toEqual(["b.jpg"])
    expect(rec.leases.size).toBe(0) // given back
  })

  it("feature toggles turn endpoints into 403 with a reason; /api/config/features says so", async () => {
    const { admin, call } = makeApi({ images }, { FEATURE_PUBLISH: "off", FEATURE_KEEP_CURATE: "0" })
    const publish = await admin("POST", "/api/images/a.jpg/publish", {})
    expect(publish.status).toBe(403)
    expect(((await publish.json()) as { error: string }).error).toMatch(/FEATURE_PUBLISH/)
    expect((await admin("POST", "/api/images/a.jpg/keep")).status).toBe(403)
    expect(await (await call("GET", "/api/config/features")).json()).toMatchObject({
      publish_enabled: false,
      keep_enabled: false,
      remove_enabled: true,
      auth_mode: "password"
    })
  })

  it("request bodies are size-limited", async () => {
    const { call } = makeApi({ images })
    // The right password: only the size can make this fail.
    const small = await call("POST", "/api/admin/login", {
      raw: JSON.stringify({ password: PASSWORD, pad: "x".repeat(1_000) }),
      headers: { origin: ORIGIN }
    })
    expect(small.status).toBe(200)
    const raw = JSON.stringify({ password: PASSWORD, pad: "x".repeat(200_000) })
    const large = await call("POST", "/api/admin/login", {
      raw,
      headers: { origin: ORIGIN, "content-length": String(raw.length) }
    })
    expect(large.status).toBe(413)
  })

  it("malformed, empty, deeply nested or mistyped JSON is 400 {error, detail}: no schema dump, no _tag, no echoed value", async () => {
    const { call, login } = makeApi({ images })
    const cookie = await login()
    const cases: Array<[string, string, string, RegExp]> = [
      ["/api/admin/login", "{nope", "Malformed JSON", /not valid JSON/],
      ["/api/admin/login", "", "Malformed JSON", /empty/],
      ["/api/admin/login", "[".repeat(3000) + "]".repeat(3000), "Invalid request", /deeper than 32/],
      ["/api/admin/login", `{"password":${"[".repeat(3000)}${"]".repeat(3000)}}`, "Invalid request", /deeper than 32/],
      ["/api/admin/login", JSON.stringify({ password: 987654321 }), "Invalid request", /^password: must be string$/],
      ["/api/admin/login", "{}", "Invalid request", /^password is required$/],
      [
        "/api/images/a.jpg/publish",
        JSON.stringify({ platforms: "telegram-secret-echo" }),
        "Invalid request",
        /^platforms: must be ReadonlyArray<string>$/
      ]
    ]
    for (const [path, body, error, detail] of cases) {
      const response = await call("POST", path, { raw: body, headers: { origin: ORIGIN, cookie } })
      const text = await response.text()
      expect(response.status, body.slice(0, 40)).toBe(400)
      const json = JSON.parse(text) as { error: string; detail: string }
      expect(Object.keys(json).sort()).toEqual(["detail", "error"])
      expect(json.error).toBe(error)
      expect(json.detail).toMatch(detail)
      expect(text).not.toMatch(/_tag|987654321|telegram-secret-echo|readonly|└─/)
    }
    const query = await call("GET", "/api/images/a.jpg/similar?limit=abc")
    expect(await query.json()).toEqual({ error: "Invalid request", detail: "limit: must be a number" })
    const name = await call("GET", "/api/images/..%2Fx/similar")
    expect(await name.json()).toEqual({
      error: "Invalid request",
      detail: "filename: filename must be a plain file name"
    })
    const missing = await call("GET", "/api/no-such-route")
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: "Not found" })
    expect((await call("GET", "/api/images/a.jpg;x/thumbnail")).status).toBe(404)
  })

  it("storage failures are a plain 500 without details of the cause", async () => {
    const { call } = makeApi({ images: [] })
    expect((await call("GET", "/api/images/random")).status).toBe(404)
  })

  it("refuses to start when admin endpoints are on and web_admin_pw is unset", () => {
    const settings = Effect.runSync(WebConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
    expect(Effect.runSync(Effect.either(checkWebSettings(settings)))._tag).toBe("Left")
    const off = Effect.runSync(WebConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map([
        ["FEATURE_ANALYZE_CAPTION", "false"],
        ["FEATURE_PUBLISH", "false"],
        ["FEATURE_KEEP_CURATE", "false"],
        ["FEATURE_REMOVE_CURATE", "false"]
      ])
    ))))
    expect(Effect.runSync(Effect.either(checkWebSettings(off)))._tag).toBe("Right")
  })

  it("refuses to start beyond loopback with no authentication, and with half a basic credential; names the fix", () => {
    const settingsOf = (entries: Record<string, string>) =>
      Effect.runSync(WebConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(
        new Map(Object.entries({
          FEATURE_ANALYZE_CAPTION: "false",
          FEATURE_PUBLISH: "false",
          FEATURE_KEEP_CURATE: "false",
          FEATURE_REMOVE_CURATE: "false",
          ...entries
        }))
      ))))
    const problems = (entries: Record<string, string>) =>
      Effect.runSync(
        Effect.flip(checkWebSettings(settingsOf(entries))).pipe(
          Effect.map((e) => e.message),
          Effect.orElseSucceed(() => "")
        )
      )
    expect(problems({ HOST: "0.0.0.0" })).toMatch(
      /^HOST=0\.0\.0\.0 would let other machines reach the server with no authentication: set web_admin_pw/
    )
    expect(problems({ HOST: "127.0.0.1" })).toBe("")
    expect(problems({ HOST: "::1" })).toBe("")
    expect(problems({ HOST: "0.0.0.0", WEB_AUTH_TOKEN: "t" })).toBe("")
    expect(problems({ HOST: "0.0.0.0", web_admin_pw: "pw" })).toBe("")
    expect(problems({ WEB_AUTH_USER: "ops" })).toBe(
      "WEB_AUTH_USER is set but WEB_AUTH_PASS is not: set both for basic authentication, or neither"
    )
    // Both problems at once, one line each.
    expect(problems({ HOST: "0.0.0.0", WEB_AUTH_PASS: "p" }).split("\n")).toEqual([
      "WEB_AUTH_PASS is set but WEB_AUTH_USER is not: set both for basic authentication, or neither",
      expect.stringMatching(/^HOST=0\.0\.0\.0 would let/)
    ])
  })

  it("publish honours platforms: only those are posted; an unknown or disabled name is 400 and posts nothing", async () => {
    const { admin, rec } = makeApi({ images, platforms: ["telegram", "email"] })
    for (
      const [platforms, message] of [[["mastodon"], /Unknown platform: mastodon/], [
        ["instagram"],
        /Platform not enabled: instagram/
      ], [[], /No platform chosen/]] as const
    ) {
      const refused = await admin("POST", "/api/images/b.jpg/publish", { platforms })
      expect(refused.status).toBe(400)
      expect(((await refused.json()) as { error: string }).error).toMatch(message)
    }
    expect(rec.published).toEqual([])
    const body = await (await admin("POST", "/api/images/b.jpg/publish", { platforms: ["telegram"] })).json() as {
      results: Record<string, unknown>
    }
    expect(Object.keys(body.results)).toEqual(["telegram"])
    expect(rec.published.map((p) => p.platform)).toEqual(["telegram"])
  })

  it("a local folder's images are API URLs (never file://), served with ETag, Range and private caching", async () => {
    const bytes = new Uint8Array(Array.from({ length: 100 }, (_, i) => i))
    const { call, rec } = makeApi({ images: [image("a b.jpg")], files: { "/photos/a b.jpg": bytes } }, {
      STORAGE: "local"
    })
    const one = await (await call("GET", "/api/images/a%20b.jpg")).json() as { temp_url: string }
    expect(one.temp_url).toBe("/api/images/a%20b.jpg/original")
    const whole = await call("GET", one.temp_url)
    expect(whole.status).toBe(200)
    expect(whole.headers.get("content-type")).toBe("image/jpeg")
    expect(whole.headers.get("cache-control")).toBe("private, no-cache")
    expect(whole.headers.get("accept-ranges")).toBe("bytes")
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes)
    const etag = whole.headers.get("etag")!
    expect(etag).toBe("\"hash-a b.jpg\"")
    const part = await call("GET", one.temp_url, { headers: { range: "bytes=10-19" } })
    expect(part.status).toBe(206)
    expect(part.headers.get("content-range")).toBe("bytes 10-19/100")
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
    const tail = await call("GET", one.temp_url, { headers: { range: "bytes=-5" } })
    expect(tail.headers.get("content-range")).toBe("bytes 95-99/100")
    expect((await call("GET", one.temp_url, { headers: { range: "bytes=200-" } })).status).toBe(416)
    const downloads = rec.downloads.length
    expect((await call("GET", one.temp_url, { headers: { "if-none-match": etag } })).status).toBe(304)
    expect(rec.downloads.length).toBe(downloads) // revalidated without reading the file
    expect((await call("GET", one.temp_url, { headers: { authorization: "" } })).status).toBe(401)
  })

  it("GET /metrics serves the process's metrics in the Prometheus text format", async () => {
    const { call } = makeApi({ images })
    await call("GET", "/api/images/random")
    const response = await call("GET", "/metrics")
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0.0.4/)
    const text = await response.text()
    expect(text).toMatch(/# TYPE publisher_image_list_cache_total counter/)
    expect(text).toMatch(/publisher_image_list_cache_total\{result="miss"\} \d+/)
    expect(text).toMatch(/publisher_http_endpoint_duration_ms_bucket\{endpoint="web_random_image",le="\+Inf"\} \d+/)
    // Each histogram's +Inf bucket once (Prometheus rejects a repeated series).
    const infinite = text.split("\n").filter((l) =>
      l.startsWith("publisher_http_endpoint_duration_ms_bucket{endpoint=\"web_random_image\",le=\"+Inf\"}")
    )
    expect(infinite).toHaveLength(1)
    expect(text).not.toContain(TOKEN)
  })
})
