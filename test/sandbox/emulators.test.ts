import { createHash } from "node:crypto"
import { request as httpRequest } from "node:http"
import sharp from "sharp"
import { afterEach, describe, expect, it } from "vitest"
import { type DropboxEmulator, startDropbox } from "../../src/sandbox/dropbox.js"
import type { Emulator } from "../../src/sandbox/http.js"
import { sampleOf, Seeded } from "../../src/sandbox/jsonSchemaSample.js"
import { startOpenAi } from "../../src/sandbox/openai.js"
import { generateSamplePhotos as generateSampleImages } from "../../src/sandbox/photos.js"
import { startTelegram } from "../../src/sandbox/telegram.js"
import { dropboxContentHash } from "../../src/services/storage/DropboxContentHash.js"

const started: Array<Emulator> = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()))
})
const track = <E extends Emulator>(emulator: E): E => {
  started.push(emulator)
  return emulator
}

const TOKEN = "sl.test-token"
const dropbox = (options: Parameters<typeof startDropbox>[0] = {}) =>
  startDropbox({ accessToken: TOKEN, ...options }).then(track)

type Json = Record<string, any>

const api = async (d: DropboxEmulator, route: string, body: object, token: string | null = TOKEN) => {
  const response = await fetch(`${d.url}/2/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body)
  })
  return { status: response.status, headers: response.headers, body: await response.json() as Json }
}

/** Escapes non-ASCII as \uXXXX, as the Dropbox SDK does for Dropbox-API-Arg. */
const asciiJson = (value: object) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

describe("dropboxContentHash", () => {
  it("matches Dropbox's reference vectors", () => {
    expect(dropboxContentHash(Buffer.from("hello world"))).toBe(
      "bc62d4b80d9e36da29c16c5d4d9f11731f36052c72401a76c23c0fb5a9b74423"
    )
    expect(dropboxContentHash(Buffer.alloc(4_194_304, 0x61))).toBe(
      "907a506cf5e706bda5c7a29b43c9c65d8344bd2fa2f22339b359c214812af5a1"
    )
    expect(dropboxContentHash(Buffer.alloc(4_194_305, 0x61))).toBe(
      "5f858b62ccd88447586305aec6fd53c96747cfebf527cbba129a6dfed47d9624"
    )
    expect(dropboxContentHash(new Uint8Array())).toBe(createHash("sha256").digest("hex"))
  })
})

describe("Dropbox emulator", () => {
  it("pages list_folder by the request's limit, folders first, only direct children", async () => {
    const d = await dropbox({ files: { "/Photos/Sub/deep.jpg": Buffer.from("deep") } })
    d.files.addSynthetic("/Photos", 25)
    const first = await api(d, "files/list_folder", { path: "/photos", limit: 10 })
    expect(first.status).toBe(200)
    expect(first.body["has_more"]).toBe(true)
    const entries: Array<Json> = [...first.body["entries"]]
    let cursor: string = first.body["cursor"]
    let pages = 1
    for (let more = true; more; pages++) {
      const next = await api(d, "files/list_folder/continue", { cursor })
      entries.push(...next.body["entries"])
      cursor = next.body["cursor"]
      more = next.body["has_more"]
    }
    expect(pages).toBe(3)
    expect(entries).toHaveLength(26)
    expect(entries[0]).toMatchObject({
      ".tag": "folder",
      name: "Sub",
      path_lower: "/photos/sub",
      path_display: "/Photos/Sub"
    })
    const file = entries[1]!
    expect(file).toMatchObject({
      ".tag": "file",
      name: "synthetic-000000.jpg",
      path_display: "/Photos/synthetic-000000.jpg",
      is_downloadable: true
    })
    expect(file["id"]).toMatch(/^id:/)
    expect(file["rev"]).toMatch(/^[0-9a-f]{9,}$/)
    expect(file["content_hash"]).toBe(dropboxContentHash(d.files.get(file["path_display"])!.bytes()))
    expect(file["size"]).toBe(d.files.get(file["path_display"])!.bytes().length)
    expect(d.calls).toEqual({ "files/list_folder": 1, "files/list_folder/continue": 2 })
  })

  it("answers a retried continue with the same page, and pages a 100,000-entry folder", async () => {
    const d = await dropbox({ pageSize: 2000 })
    d.files.addSynthetic("/Big", 100_000)
    const first = await api(d, "files/list_folder", { path: "/Big" })
    expect(first.body["entries"]).toHaveLength(2000)
    const a = await api(d, "files/list_folder/continue", { cursor: first.body["cursor"] })
    const again = await api(d, "files/list_folder/continue", { cursor: first.body["cursor"] })
    expect(again.body).toEqual(a.body)
    const started = performance.now()
    const small = await api(d, "files/list_folder", { path: "/Big", limit: 5 })
    expect(small.body["entries"]).toHaveLength(5)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it("is case-insensitive, keeps display case, and 409s a missing folder in Dropbox's shape", async () => {
    const d = await dropbox({ files: { "/Photos/Beach.JPG": Buffer.from("x") } })
    expect(d.files.exists("/photos/beach.jpg")).toBe(true)
    const meta = await api(d, "files/get_metadata", { path: "/PHOTOS/beach.jpg" })
    expect(meta.body).toMatchObject({ path_display: "/Photos/Beach.JPG", path_lower: "/photos/beach.jpg" })
    const missing = await api(d, "files/list_folder", { path: "/Nope" })
    expect(missing.status).toBe(409)
    expect(missing.body).toEqual({
      error_summary: "path/not_found/..",
      error: { ".tag": "path", path: { ".tag": "not_found" } }
    })
  })

  it("downloads with the argument in Dropbox-API-Arg and the metadata in Dropbox-API-Result", async () => {
    const bytes = Buffer.from("jpeg bytes ü")
    const d = await dropbox({ files: { "/Photos/ünïcode é.jpg": bytes } })
    const response = await fetch(`${d.url}/2/files/download`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "dropbox-api-arg": asciiJson({ path: "/Photos/ünïcode é.jpg" }) }
    })
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("application/octet-stream")
    const header = response.headers.get("dropbox-api-result")!
    expect(header).toMatch(/^[\x20-\x7e]+$/)
    expect(JSON.parse(header)).toMatchObject({
      name: "ünïcode é.jpg",
      size: bytes.length,
      content_hash: dropboxContentHash(bytes)
    })
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes)

    const missing = await fetch(`${d.url}/2/files/download`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "dropbox-api-arg": JSON.stringify({ path: "/Photos/none.jpg" }) }
    })
    expect(missing.status).toBe(409)
    expect(await missing.json()).toMatchObject({ error: { ".tag": "path", path: { ".tag": "not_found" } } })
  })

  it("uploads (add conflicts, overwrite replaces, autorename renames) and serves temporary links", async () => {
    const d = await dropbox()
    const upload = (arg: object, body: string) =>
      fetch(`${d.url}/2/files/upload`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKEN}`,
          "content-type": "application/octet-stream",
          "dropbox-api-arg": JSON.stringify(arg)
        },
        body
      })
    expect(await (await upload({ path: "/A/a.png", mode: "add" }, "one")).json()).toMatchObject({
      path_display: "/A/a.png",
      size: 3
    })
    const conflict = await upload({ path: "/A/a.png", mode: "add" }, "two")
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({
      error_summary: "path/conflict/file/..",
      error: { ".tag": "path", reason: { ".tag": "conflict" } }
    })
    expect(await (await upload({ path: "/A/a.png", mode: { ".tag": "overwrite" } }, "three")).json()).toMatchObject({
      size: 5
    })
    expect(await (await upload({ path: "/A/a.png", autorename: true }, "four")).json()).toMatchObject({
      path_display: "/A/a (1).png"
    })

    const link = await api(d, "files/get_temporary_link", { path: "/a/A.PNG" })
    expect(link.body["metadata"]).toMatchObject({ name: "a.png" })
    const served = await fetch(link.body["link"])
    expect(served.headers.get("content-type")).toBe("image/png")
    expect(await served.text()).toBe("three")
  })

  it("moves one file, batches moves with an async job, and refuses to overwrite unless autorename", async () => {
    const d = await dropbox({
      files: { "/P/a.jpg": Buffer.from("a"), "/P/a.txt": Buffer.from("t"), "/P/archive/a.jpg": Buffer.from("old") }
    })
    const conflict = await api(d, "files/move_v2", { from_path: "/P/a.jpg", to_path: "/P/archive/a.jpg" })
    expect(conflict.status).toBe(409)
    expect(conflict.body["error_summary"]).toBe("to/conflict/file/..")

    const launch = await api(d, "files/move_batch_v2", {
      entries: [{ from_path: "/P/a.jpg", to_path: "/P/archive/a.jpg" }, {
        from_path: "/P/missing.txt",
        to_path: "/P/archive/missing.txt"
      }],
      autorename: true
    })
    expect(launch.body[".tag"]).toBe("async_job_id")
    const check = await api(d, "files/move_batch/check_v2", { async_job_id: launch.body["async_job_id"] })
    expect(check.body[".tag"]).toBe("complete")
    expect(check.body["entries"][0]).toMatchObject({
      ".tag": "success",
      success: { path_display: "/P/archive/a (1).jpg" }
    })
    expect(check.body["entries"][1]).toMatchObject({
      ".tag": "failure",
      failure: { ".tag": "relocation_error", relocation_error: { ".tag": "from_lookup" } }
    })

    const single = await api(d, "files/move_v2", { from_path: "/P/a.txt", to_path: "/P/archive/a.txt" })
    expect(single.body["metadata"]).toMatchObject({ path_display: "/P/archive/a.txt" })
    expect(d.files.list("/P").map((f) => f.name)).toEqual([])
    expect(d.files.subfolders("/P")).toEqual(["/P/archive"])

    expect((await api(d, "files/delete_v2", { path: "/P/archive/a.txt" })).body["metadata"]).toMatchObject({
      name: "a.txt"
    })
    expect((await api(d, "files/delete_v2", { path: "/P/archive/a.txt" })).body["error_summary"]).toBe(
      "path_lookup/not_found/.."
    )
    expect((await api(d, "files/create_folder_v2", { path: "/Empty" })).body["metadata"]).toMatchObject({
      ".tag": "folder",
      name: "Empty"
    })
    expect((await api(d, "files/list_folder", { path: "/Empty" })).body["entries"]).toEqual([])
  })

  it("401s without an accepted token, and issues tokens for a refresh token (form body or basic auth)", async () => {
    const d = await dropbox({ appKey: "key", appSecret: "secret", refreshToken: "refresh" })
    for (const token of [null, "wrong"]) {
      const denied = await api(d, "files/list_folder", { path: "" }, token)
      expect(denied.status).toBe(401)
      expect(denied.body).toEqual({
        error_summary: "invalid_access_token/..",
        error: { ".tag": "invalid_access_token" }
      })
    }
    const viaForm = await fetch(`${d.url}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: "refresh",
        client_id: "key",
        client_secret: "secret"
      })
    })
    const issued = await viaForm.json() as Json
    expect(issued).toMatchObject({ token_type: "bearer", expires_in: 14400 })
    expect((await api(d, "files/list_folder", { path: "" }, issued["access_token"])).status).toBe(200)

    const viaBasic = await fetch(`${d.url}/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from("key:secret").toString("base64")}`
      },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "refresh" })
    })
    expect(viaBasic.status).toBe(200)
    const badSecret = await fetch(`${d.url}/oauth2/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: "refresh",
        client_id: "key",
        client_secret: "nope"
      })
    })
    expect(badSecret.status).toBe(400)
    expect(d.issuedTokens).toHaveLength(2)
  })

  it("get_thumbnail_batch answers per entry in request order, in Dropbox's shapes; more than 25 entries is too_many_files", async () => {
    const portrait = await sharp({ create: { width: 600, height: 900, channels: 3, background: "#336699" } }).png()
      .toBuffer()
    const d = await dropbox({
      files: {
        "/P/Tall.png": portrait,
        "/P/notes.txt": Buffer.from("text"),
        "/P/broken.jpg": Buffer.from("not a jpeg"),
        "/P/Sub/x.jpg": portrait
      }
    })
    const batch = await api(d, "files/get_thumbnail_batch", {
      entries: [
        { path: "/p/tall.png", format: { ".tag": "png" }, size: { ".tag": "w256h256" }, mode: { ".tag": "bestfit" } },
        { path: "/P/none.jpg", format: { ".tag": "png" } },
        { path: "/P/notes.txt" },
        { path: "/P/broken.jpg" },
        { path: "/P/Sub" },
        { path: "/P/Tall.png", size: "w480h320", mode: "bestfit" },
        { path: "/P/Tall.png", size: { ".tag": "w480h320" } }
      ]
    })
    expect(batch.status).toBe(200)
    const entries: Array<Json> = batch.body["entries"]
    expect(entries.map((e) => e[".tag"])).toEqual([
      "success",
      "failure",
      "failure",
      "failure",
      "failure",
      "success",
      "success"
    ])
    expect(entries[0]!["metadata"]).toEqual((await api(d, "files/get_metadata", { path: "/P/Tall.png" })).body)
    const first = await sharp(Buffer.from(entries[0]!["thumbnail"], "base64")).metadata()
    expect([first.format, first.width, first.height]).toEqual(["png", 171, 256])
    expect(entries[1]).toEqual({ ".tag": "failure", failure: { ".tag": "path", path: { ".tag": "not_found" } } })
    expect(entries[2]).toEqual({ ".tag": "failure", failure: { ".tag": "unsupported_extension" } })
    expect(entries[3]).toEqual({ ".tag": "failure", failure: { ".tag": "unsupported_image" } })
    expect(entries[4]).toEqual({ ".tag": "failure", failure: { ".tag": "path", path: { ".tag": "not_file" } } })
    // bestfit may use the transposed box (320x480); strict may not. JPEG is the default format.
    const best = await sharp(Buffer.from(entries[5]!["thumbnail"], "base64")).metadata()
    expect([best.format, best.width, best.height]).toEqual(["jpeg", 320, 480])
    const strict = await sharp(Buffer.from(entries[6]!["thumbnail"], "base64")).metadata()
    expect([strict.width, strict.height]).toEqual([213, 320])

    const tooMany = await fetch(`${d.url}/2/files/get_thumbnail_batch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ entries: Array.from({ length: 26 }, () => ({ path: "/P/Tall.png" })) })
    })
    expect(tooMany.status).toBe(409)
    expect(await tooMany.json()).toEqual({ error_summary: "too_many_files/", error: { ".tag": "too_many_files" } })
    const badSize = await fetch(`${d.url}/2/files/get_thumbnail_batch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ entries: [{ path: "/P/Tall.png", size: "w100h100" }] })
    })
    expect(badSize.status).toBe(400)
    expect(await badSize.text()).toMatch(/size: unknown tag 'w100h100'/)

    d.inject("files/get_thumbnail_batch", { status: 429, retryAfterSeconds: 2, times: 1 })
    const limited = await api(d, "files/get_thumbnail_batch", { entries: [{ path: "/P/Tall.png" }] })
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("2")
    expect((await api(d, "files/get_thumbnail_batch", { entries: [{ path: "/P/Tall.png" }] })).status).toBe(200)
    expect(d.calls["files/get_thumbnail_batch"]).toBe(5)
  })

  it("an injected 429 (times: 1) answers once with Retry-After, then clears; faulted calls are counted", async () => {
    const d = await dropbox({ files: { "/P/a.jpg": Buffer.from("a") } })
    d.inject("files/list_folder", { status: 429, retryAfterSeconds: 3, times: 1 })
    const limited = await api(d, "files/list_folder", { path: "/P" })
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("3")
    expect(limited.body).toEqual({
      error_summary: "too_many_requests/..",
      error: { reason: { ".tag": "too_many_requests" }, retry_after: 3 }
    })
    expect((await api(d, "files/list_folder", { path: "/P" })).status).toBe(200)
    expect(d.calls["files/list_folder"]).toBe(2)

    d.inject("files/get_metadata", { status: 500, body: { custom: true } })
    expect(await api(d, "files/get_metadata", { path: "/P/a.jpg" })).toMatchObject({
      status: 500,
      body: { custom: true }
    })
    d.clearFaults()
    expect((await api(d, "files/get_metadata", { path: "/P/a.jpg" })).status).toBe(200)
  })

  it("a dropped request gets no answer, and latency delays the route", async () => {
    const d = await dropbox({ latency: { "files/get_metadata": 150 }, files: { "/P/a.jpg": Buffer.from("a") } })
    d.inject("files/list_folder", { drop: true, times: 1 })
    await expect(api(d, "files/list_folder", { path: "/P" })).rejects.toThrow()
    const started = performance.now()
    await api(d, "files/get_metadata", { path: "/P/a.jpg" })
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
  })

  it("close() ends idle keep-alive connections too", async () => {
    const d = await startDropbox({ accessToken: TOKEN })
    const agentRequest = () =>
      new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${d.url}/2/files/list_folder`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", connection: "keep-alive" }
        }, (res) => {
          res.resume()
          res.on("end", resolve)
        })
        req.on("error", reject)
        req.end(JSON.stringify({ path: "" }))
      })
    await agentRequest()
    const closing = performance.now()
    await d.close()
    expect(performance.now() - closing).toBeLessThan(1000)
  })
})

describe("OpenAI emulator", () => {
  const schema = {
    type: "object",
    additionalProperties: false,
    required: ["description", "mood", "tags", "nsfw", "safety_labels", "score", "rating", "kind", "note"],
    properties: {
      description: { type: "string" },
      mood: { type: "string" },
      tags: { type: "array", items: { type: "string" }, maxItems: 3 },
      nsfw: { type: "boolean" },
      safety_labels: { type: "array", items: { type: "string" } },
      score: { type: "number", minimum: 0, maximum: 1 },
      rating: { type: "integer", minimum: 1, maximum: 5 },
      kind: { type: "string", enum: ["photo", "illustration"] },
      note: { anyOf: [{ $ref: "#/$defs/Note" }, { type: "null" }] }
    },
    $defs: {
      Note: {
        type: "object",
        additionalProperties: false,
        required: ["text"],
        properties: { text: { type: "string" } }
      }
    }
  }
  const completion = (url: string, body: object, key = "sk-test") =>
    fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body)
    }).then(async (r) => ({ status: r.status, body: await r.json() as Json }))
  const request = (image: string) => ({
    model: "gpt-4o",
    max_completion_tokens: 800,
    messages: [{
      role: "user",
      content: [{ type: "text", text: "Describe" }, {
        type: "image_url",
        image_url: { url: `data:image/jpeg;base64,${image}` }
      }]
    }],
    response_format: { type: "json_schema", json_schema: { name: "image_analysis", strict: true, schema } }
  })

  it("answers json_schema requests with JSON valid against the schema, the same for the same image", async () => {
    const openai = track(await startOpenAi({ apiKey: "sk-test" }))
    const reply = await completion(openai.url, request("AAAA"))
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      object: "chat.completion",
      model: "gpt-4o",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant" } }]
    })
    expect(reply.body["id"]).toMatch(/^chatcmpl-/)
    const usage = reply.body["usage"]
    expect(usage["total_tokens"]).toBe(usage["prompt_tokens"] + usage["completion_tokens"])
    const content = JSON.parse(reply.body["choices"][0]["message"]["content"]) as Json
    expect(Object.keys(content).sort()).toEqual([...schema.required].sort())
    expect(content).toMatchObject({ nsfw: false, safety_labels: [] })
    expect(typeof content["description"]).toBe("string")
    expect(content["tags"].length).toBeLessThanOrEqual(3)
    expect(content["score"]).toBeGreaterThanOrEqual(0)
    expect(content["score"]).toBeLessThanOrEqual(1)
    expect(Number.isInteger(content["rating"]) && content["rating"] >= 1 && content["rating"] <= 5).toBe(true)
    expect(["photo", "illustration"]).toContain(content["kind"])
    expect(typeof content["note"]["text"]).toBe("string")

    const same = await completion(openai.url, request("AAAA"))
    expect(same.body["choices"][0]["message"]["content"]).toBe(reply.body["choices"][0]["message"]["content"])
    expect(openai.requests).toMatchObject([
      { model: "gpt-4o", schemaName: "image_analysis", maxCompletionTokens: 800, hasImage: true },
      { model: "gpt-4o", schemaName: "image_analysis", maxCompletionTokens: 800, hasImage: true }
    ])
    expect(openai.calls["chat/completions"]).toBe(2)
  })

  it("writes captions with 2-4 hashtags and a comma-separated sd_caption; plain text without response_format", async () => {
    const openai = track(await startOpenAi({ apiKey: "sk-test" }))
    for (const seed of ["a", "b", "c", "d", "e"]) {
      const captions = sampleOf({
        type: "object",
        properties: { caption: { type: "string" }, sd_caption: { type: "string" } }
      }, new Seeded(seed)) as Json
      const tags = (captions["caption"] as string).match(/#\w+/g) ?? []
      expect(tags.length).toBeGreaterThanOrEqual(2)
      expect(tags.length).toBeLessThanOrEqual(4)
      expect((captions["sd_caption"] as string).split(", ").length).toBeGreaterThanOrEqual(4)
    }
    const plain = await completion(openai.url, { model: "m", messages: [{ role: "user", content: "hi" }] })
    expect(plain.body["choices"][0]["message"]["content"]).toMatch(/^[A-Z].+\.$/)
  })

  it("401s a wrong key in OpenAI's error shape; replyOverride and a 429 fault", async () => {
    const openai = track(await startOpenAi({ apiKey: "sk-test", replyOverride: () => "not json" }))
    const denied = await completion(openai.url, request("A"), "sk-wrong")
    expect(denied.status).toBe(401)
    expect(denied.body).toEqual({
      error: { message: expect.any(String), type: "invalid_request_error", param: null, code: "invalid_api_key" }
    })
    expect((await completion(openai.url, request("A"))).body["choices"][0]["message"]["content"]).toBe("not json")
    openai.inject("chat/completions", { status: 429, retryAfterSeconds: 2, times: 1 })
    const limited = await fetch(`${openai.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-test" },
      body: "{}"
    })
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("2")
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } })
  })
})

describe("Telegram emulator", () => {
  const TG = "123:bot-token"
  const multipart = (url: string, fields: Record<string, string>, photo?: Uint8Array, token = TG) => {
    const form = new FormData()
    for (const [k, v] of Object.entries(fields)) form.set(k, v)
    if (photo !== undefined) form.set("photo", new Blob([photo], { type: "image/jpeg" }), "a.jpg")
    return fetch(`${url}/bot${token}/sendPhoto`, { method: "POST", body: form }).then(async (r) => ({
      status: r.status,
      body: await r.json() as Json
    }))
  }

  it("records a multipart sendPhoto and answers like the Bot API", async () => {
    const telegram = track(await startTelegram({ token: TG }))
    const sent = await multipart(
      telegram.url,
      { chat_id: "@channel", caption: "Hello #world", parse_mode: "HTML" },
      new Uint8Array(2048).fill(7)
    )
    expect(sent.status).toBe(200)
    expect(sent.body).toMatchObject({
      ok: true,
      result: { message_id: 1, chat: { type: "channel" }, caption: "Hello #world" }
    })
    expect(sent.body["result"]["photo"].at(-1)).toMatchObject({ file_size: 2048 })
    const byUrl = await fetch(`${telegram.url}/bot${TG}/sendPhoto`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: -100123, photo: "https://example.test/a.jpg", caption: "by url" })
    })
    expect(((await byUrl.json()) as Json)["result"]).toMatchObject({ message_id: 2, chat: { id: -100123 } })
    expect(telegram.messages).toEqual([
      { message_id: 1, chat_id: "@channel", caption: "Hello #world", photoBytes: 2048 },
      { message_id: 2, chat_id: "-100123", caption: "by url", photoBytes: 0, photoUrl: "https://example.test/a.jpg" }
    ])
    expect(telegram.calls).toEqual({ sendPhoto: 2 })
  })

  it("refuses a wrong token, a missing chat and a long caption; a 429 fault carries retry_after", async () => {
    const telegram = track(await startTelegram({ token: TG }))
    const photo = new Uint8Array([1, 2, 3])
    expect((await multipart(telegram.url, { chat_id: "@c" }, photo, "123:wrong")).body).toEqual({
      ok: false,
      error_code: 401,
      description: "Unauthorized"
    })
    expect((await multipart(telegram.url, {}, photo)).body).toEqual({
      ok: false,
      error_code: 400,
      description: "Bad Request: chat not found"
    })
    expect((await multipart(telegram.url, { chat_id: "@c", caption: "x".repeat(1025) }, photo)).body["description"])
      .toBe("Bad Request: message caption is too long")
    telegram.inject("sendPhoto", { status: 429, retryAfterSeconds: 5, times: 1 })
    expect((await multipart(telegram.url, { chat_id: "@c" }, photo)).body).toEqual({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 5",
      parameters: { retry_after: 5 }
    })
    expect((await multipart(telegram.url, { chat_id: "@c" }, photo)).status).toBe(200)
    expect(telegram.messages).toHaveLength(1)
  })
})

describe("sample images", () => {
  it("are distinct, deterministic JPEGs of varied sizes", async () => {
    const images = await generateSampleImages(4, 7)
    expect(images.map((i) => i.name)).toEqual(["photo-001.jpg", "photo-002.jpg", "photo-003.jpg", "photo-004.jpg"])
    expect(new Set(images.map((i) => dropboxContentHash(i.bytes))).size).toBe(4)
    const sizes = await Promise.all(images.map(async (i) => {
      const meta = await sharp(i.bytes).metadata()
      expect(meta.format).toBe("jpeg")
      return `${meta.width}x${meta.height}`
    }))
    expect(new Set(sizes).size).toBeGreaterThanOrEqual(3)
    const again = await generateSampleImages(1, 7)
    expect(again[0]!.bytes.equals(images[0]!.bytes)).toBe(true)
  })
})
