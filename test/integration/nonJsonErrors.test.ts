/**
 * Issue #12, defect 3: an answer that is not JSON (a proxy's HTML 502/503) is described by what
 * came back, `HTTP 503 from <host> (not JSON)`, never as a lost connection, a JSON parse error
 * or a quoted page; and it is classified exactly as before (retryable / uncertain / failed).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import sharp from "sharp"
import { CaptionPair } from "../../src/domain/Analysis.js"
import type { PublishError, StorageError } from "../../src/domain/Errors.js"
import { type DropboxEmulator, startDropbox } from "../../src/sandbox/dropbox.js"
import type { Fault } from "../../src/sandbox/http.js"
import { type InstagramEmulator, startInstagram } from "../../src/sandbox/instagram.js"
import { startTelegram, type TelegramEmulator } from "../../src/sandbox/telegram.js"
import { hostOf, NOT_JSON, notJsonWords, parseJsonBody } from "../../src/services/httpAnswer.js"
import { makeInstagramPublisher } from "../../src/services/publishers/InstagramPublisher.js"
import type { PlatformPublisher, Post } from "../../src/services/publishers/Publisher.js"
import { makeTelegramPublisher } from "../../src/services/publishers/TelegramPublisher.js"
import { makeDropboxStorage } from "../../src/services/storage/DropboxLive.js"
import { Storage } from "../../src/services/storage/Storage.js"
import { configLayer } from "../support/config.js"
import { image, sampleAnalysis } from "../support/fakes.js"
import { instagramTestLayer } from "../support/instagramLayer.js"

const HTML_503 =
  "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
const HTML_502 =
  "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"

const html = (status: number, body = status === 502 ? HTML_502 : HTML_503): Fault => ({
  status,
  body,
  contentType: "text/html"
})

/** The words of the old messages, and what a page must never put in one. */
const expectNoOldWords = (message: string) => {
  expect(message).not.toMatch(/network error|connection lost|Unexpected token|not valid JSON|<html|<!DOCTYPE|nginx/i)
}

const classification = (error: PublishError) => ({ transient: error.transient, uncertain: error.uncertain })

const hostPort = (url: string) => new URL(url).host

describe("httpAnswer: words for an answer that is not JSON", () => {
  it("names status and host only: no credentials, path, query or token", () => {
    expect(hostOf("https://user:pass@api.telegram.org/bot42:secret-bot-token/sendPhoto?x=1")).toBe("api.telegram.org")
    expect(hostOf("http://127.0.0.1:8081/bot42:secret/getMe")).toBe("127.0.0.1:8081")
    expect(hostOf("not a url with 42:secret")).toBe("the server")
    expect(hostOf("")).toBe("the server")
    expect(notJsonWords(503, "api.telegram.org")).toBe("HTTP 503 from api.telegram.org (not JSON)")
    expect(parseJsonBody(HTML_503)).toBe(NOT_JSON)
    expect(parseJsonBody("")).toBe(NOT_JSON)
    expect(parseJsonBody("{\"ok\":true")).toBe(NOT_JSON)
    expect(parseJsonBody("{\"ok\":true}")).toEqual({ ok: true })
  })
})

// --- Telegram -----------------------------------------------------------------------------

const TOKEN = "42:secret-bot-token"

const telegramPost: Post = {
  image: image("a.jpg"),
  bytes: new Uint8Array(2048).fill(7),
  mimeType: "image/jpeg",
  captions: new CaptionPair({ caption: "x", sd_caption: "prompt" }),
  analysis: sampleAnalysis
}

const withTelegram = <A, E>(body: (telegram: TelegramEmulator, publisher: PlatformPublisher) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startTelegram({ token: TOKEN })),
    (telegram) =>
      makeTelegramPublisher.pipe(
        Effect.provide(
          configLayer({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHANNEL_ID: "@channel", TELEGRAM_API_URL: telegram.url })
        ),
        Effect.flatMap((publisher) => body(telegram, publisher))
      ),
    (telegram) => Effect.promise(() => telegram.close())
  )

const expectNoToken = (error: PublishError) => {
  for (const secret of [TOKEN, "secret-bot-token", "/bot"]) {
    expect(error.message).not.toContain(secret)
    expect(JSON.stringify(error)).not.toContain(secret)
  }
}

describe("Telegram: an answer that is not JSON", () => {
  it.live("sendPhoto, HTML 503: 'HTTP 503 from <host> (not JSON)', uncertain and not retried as before, no token", () =>
    withTelegram((telegram, publisher) =>
      Effect.gen(function*() {
        telegram.inject("sendPhoto", html(503))
        const error = yield* publisher.publish(telegramPost).pipe(Effect.flip)
        expect(error.message).toBe(
          `sendPhoto: HTTP 503 from ${hostPort(telegram.url)} (not JSON); the photo may have been posted`
        )
        expectNoOldWords(error.message)
        expectNoToken(error)
        // As before (when it read as a lost connection): uncertain, never retried automatically.
        expect(error).toMatchObject({ platform: "telegram", status: 503, transient: false, uncertain: true })
        expect(telegram.calls["sendPhoto"]).toBe(1)
        expect(telegram.messages).toEqual([])

        // The same classification as a connection lost after sending (what it was taken for).
        telegram.clearFaults()
        telegram.inject("sendPhoto", { drop: true, times: 1 })
        const dropped = yield* publisher.publish(telegramPost).pipe(Effect.flip)
        expect(classification(error)).toEqual(classification(dropped))
      })
    ))

  it.live("sendPhoto, other pages (502 plain text, an empty 504, an HTML 429, an HTML 200): the same words, classified as before", () =>
    withTelegram((telegram, publisher) =>
      Effect.gen(function*() {
        const host = hostPort(telegram.url)
        const cases: Array<readonly [Fault, number]> = [
          [{ status: 502, body: "Bad Gateway" }, 502],
          [{ status: 504, body: "" }, 504],
          [html(429, "<html><body>Too Many Requests</body></html>"), 429],
          [{ status: 200, body: "<html><body>Welcome to the hotel Wi-Fi</body></html>", contentType: "text/html" }, 200]
        ]
        for (const [fault, status] of cases) {
          telegram.clearFaults()
          telegram.inject("sendPhoto", { ...fault, times: 1 })
          const calls = telegram.calls["sendPhoto"] ?? 0
          const error = yield* publisher.publish(telegramPost).pipe(Effect.flip)
          expect(error.message).toBe(
            `sendPhoto: HTTP ${status} from ${host} (not JSON); the photo may have been posted`
          )
          expectNoOldWords(error.message)
          expectNoToken(error)
          expect(error).toMatchObject({ status, transient: false, uncertain: true })
          expect(telegram.calls["sendPhoto"]).toBe(calls + 1)
        }
        expect(telegram.messages).toEqual([])
      })
    ))

  it.live("sendPhoto, Telegram's own JSON 503 is classified as before (uncertain, with its status)", () =>
    withTelegram((telegram, publisher) =>
      Effect.gen(function*() {
        telegram.inject("sendPhoto", { status: 503, times: 1 })
        const error = yield* publisher.publish(telegramPost).pipe(Effect.flip)
        expect(error).toMatchObject({ status: 503, transient: false, uncertain: true })
        expect(error.message).not.toContain("(not JSON)")
      })
    ))

  it.live("check (getMe), HTML 503: retried as before, then 'Telegram getMe: HTTP 503 from <host> (not JSON)', no token", () =>
    withTelegram((telegram, publisher) =>
      Effect.gen(function*() {
        telegram.inject("getMe", html(503))
        const error = yield* publisher.check.pipe(Effect.flip)
        expect(error.message).toBe(`Telegram getMe: HTTP 503 from ${hostPort(telegram.url)} (not JSON)`)
        expectNoOldWords(error.message)
        expectNoToken(error)
        expect(error).toMatchObject({ status: 503, transient: true, uncertain: false })
        expect(telegram.calls["getMe"]).toBe(5)
        expect(telegram.calls["getChat"]).toBeUndefined()
      })
    ))
})

// --- Instagram (Graph API) ----------------------------------------------------------------

const jpeg = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } }).jpeg().toBuffer()

const withInstagram = <A, E>(
  body: (instagram: InstagramEmulator, publish: () => Effect.Effect<unknown, PublishError>) => Effect.Effect<A, E>
) =>
  Effect.acquireUseRelease(
    Effect.promise(async () => ({
      dropbox: await startDropbox({ accessToken: "dbx" }),
      instagram: await startInstagram({ userId: "1784", token: "ig-secret-token", inProgressPolls: 0 }),
      bytes: await jpeg(1080, 1080)
    })),
    ({ bytes, dropbox, instagram }) =>
      Effect.gen(function*() {
        const publisher = yield* makeInstagramPublisher
        return yield* body(instagram, () => {
          dropbox.files.put("/Photos/a.jpg", bytes)
          return publisher.publish({
            image: { ...image("a.jpg"), path: "/Photos/a.jpg" } as Post["image"],
            bytes,
            mimeType: "image/jpeg",
            captions: new CaptionPair({ caption: "Blue hour", sd_caption: "prompt" }),
            analysis: sampleAnalysis
          })
        })
      }).pipe(
        Effect.provide(
          instagramTestLayer(dropbox, instagram)
        ),
        Effect.scoped
      ),
    ({ dropbox, instagram }) => Effect.promise(() => Promise.all([dropbox.close(), instagram.close()]))
  )

describe("Instagram (Graph API): an answer that is not JSON", () => {
  it.live("media_publish, HTML 503: 'HTTP 503 from <host> (not JSON)'; the container is FINISHED, so retried as before", () =>
    withInstagram((instagram, publish) =>
      Effect.gen(function*() {
        instagram.inject("media_publish", html(503))
        const error = yield* publish().pipe(Effect.flip)
        expect(error.message).toBe(`instagram media_publish: HTTP 503 from ${hostPort(instagram.url)} (not JSON)`)
        expectNoOldWords(error.message)
        expect(JSON.stringify(error)).not.toContain("ig-secret-token")
        // As before (`instagram media_publish: HTTP 503`): transient, retried while the container says it is not live.
        expect(error).toMatchObject({ platform: "instagram", status: 503, transient: true, uncertain: false })
        expect(instagram.calls["media_publish"]).toBe(5)
        expect(instagram.media).toEqual([])

        // Graph's own JSON 503 is classified the same way.
        instagram.clearFaults()
        instagram.inject("media_publish", { status: 503 })
        const graphs = yield* publish().pipe(Effect.flip)
        expect(graphs.message).not.toContain("(not JSON)")
        expect(classification(graphs)).toEqual(classification(error))
      })
    ))

  it.live("media_publish, HTML 503 once: retried and published, as before", () =>
    withInstagram((instagram, publish) =>
      Effect.gen(function*() {
        instagram.inject("media_publish", { ...html(503), times: 1 })
        yield* publish()
        expect(instagram.calls["media_publish"]).toBe(2)
        expect(instagram.media).toHaveLength(1)
      })
    ))

  it.live("media (container), HTML 400: the same words, permanent and not retried as before", () =>
    withInstagram((instagram, publish) =>
      Effect.gen(function*() {
        instagram.inject("media", html(400, "<html><body><h1>400 Bad Request</h1></body></html>"))
        const error = yield* publish().pipe(Effect.flip)
        expect(error.message).toBe(`instagram media: HTTP 400 from ${hostPort(instagram.url)} (not JSON)`)
        expectNoOldWords(error.message)
        expect(error).toMatchObject({ status: 400, transient: false, uncertain: false })
        expect(instagram.calls["media"]).toBe(1)
      })
    ))
})

// --- Dropbox ------------------------------------------------------------------------------

const credentials = { appKey: "key", appSecret: "dbx-app-secret", refreshToken: "dbx-refresh-token" }

const withDropbox = <A, E>(body: (dropbox: DropboxEmulator) => Effect.Effect<A, E, Storage>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startDropbox(credentials)),
    (dropbox) =>
      body(dropbox).pipe(
        Effect.provide(
          makeDropboxStorage({ retries: 1 }).pipe(
            Layer.provide(configLayer({
              DROPBOX_API_URL: dropbox.url,
              DROPBOX_CONTENT_URL: dropbox.url,
              DROPBOX_APP_KEY: credentials.appKey,
              DROPBOX_APP_SECRET: credentials.appSecret,
              DROPBOX_REFRESH_TOKEN: credentials.refreshToken
            }))
          )
        )
      ),
    (dropbox) => Effect.promise(() => dropbox.close())
  )

const expectNoDropboxSecret = (error: StorageError) => {
  for (const secret of [credentials.appSecret, credentials.refreshToken]) {
    expect(JSON.stringify(error)).not.toContain(secret)
  }
}

describe("Dropbox: an answer that is not JSON", () => {
  it.live("list_folder, HTML 503: 'HTTP 503 from <host> (not JSON)', the page not quoted, retried as before", () =>
    withDropbox((dropbox) =>
      Effect.gen(function*() {
        dropbox.inject("files/list_folder", html(503))
        const error = yield* (yield* Storage).listImages("/Photos").pipe(Effect.flip)
        expect(error.message).toBe(`Dropbox list /Photos: HTTP 503 from ${hostPort(dropbox.url)} (not JSON)`)
        expectNoOldWords(error.message)
        expectNoDropboxSecret(error)
        // As before (`HTTP 503 <html>...`): transient, not "not found".
        expect(error).toMatchObject({
          _tag: "StorageError",
          operation: "list",
          status: 503,
          transient: true,
          notFound: false
        })
        expect(dropbox.calls["files/list_folder"]).toBe(2)

        // A JSON 503 is classified the same way, with its error_summary.
        dropbox.clearFaults()
        dropbox.inject("files/list_folder", {
          status: 503,
          body: { error_summary: "internal_error/..", error: { ".tag": "internal_error" } }
        })
        const own = yield* (yield* Storage).listImages("/Photos").pipe(Effect.flip)
        expect(own.message).toBe("Dropbox list /Photos: HTTP 503 internal_error/..")
        expect({ transient: own.transient, notFound: own.notFound, status: own.status }).toEqual({
          transient: error.transient,
          notFound: error.notFound,
          status: error.status
        })
      })
    ))

  it.live("download, HTML 502 (plain text too): the same words, retried as before; once, then the bytes", () =>
    withDropbox((dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", new TextEncoder().encode("jpeg"))
        const storage = yield* Storage
        dropbox.inject("files/download", html(502))
        const error = yield* storage.download("/Photos/a.jpg").pipe(Effect.flip)
        expect(error.message).toBe(`Dropbox download /Photos/a.jpg: HTTP 502 from ${hostPort(dropbox.url)} (not JSON)`)
        expectNoOldWords(error.message)
        expect(error).toMatchObject({ operation: "download", status: 502, transient: true, notFound: false })
        expect(dropbox.calls["files/download"]).toBe(2)

        dropbox.clearFaults()
        dropbox.inject("files/download", {
          status: 503,
          body: "upstream connect error or disconnect/reset before headers"
        })
        const text = yield* storage.download("/Photos/a.jpg").pipe(Effect.flip)
        expect(text.message).toBe(`Dropbox download /Photos/a.jpg: HTTP 503 from ${hostPort(dropbox.url)} (not JSON)`)
        expect(text).toMatchObject({ status: 503, transient: true })

        dropbox.clearFaults()
        dropbox.inject("files/download", { ...html(502), times: 1 })
        expect(new TextDecoder().decode(yield* storage.download("/Photos/a.jpg"))).toBe("jpeg")
      })
    ))

  it.live("the token refresh (oauth2/token), HTML 503: the same words, retried as before, no secret", () =>
    withDropbox((dropbox) =>
      Effect.gen(function*() {
        dropbox.inject("oauth2/token", html(503))
        const error = yield* (yield* Storage).listImages("/Photos").pipe(Effect.flip)
        expect(error.message).toBe(`Dropbox list /Photos: HTTP 503 from ${hostPort(dropbox.url)} (not JSON)`)
        expectNoDropboxSecret(error)
        expect(error).toMatchObject({ status: 503, transient: true })
        expect(dropbox.calls["oauth2/token"]).toBe(2)
      })
    ))

  it.live("Dropbox's own plain-text 400 keeps its words and stays permanent", () =>
    withDropbox((dropbox) =>
      Effect.gen(function*() {
        dropbox.inject("files/list_folder", { status: 400 })
        const error = yield* (yield* Storage).listImages("/Photos").pipe(Effect.flip)
        expect(error.message).toBe(
          "Dropbox list /Photos: HTTP 400 Error in call to API function: request body: could not decode input as JSON"
        )
        expect(error).toMatchObject({ status: 400, transient: false })
        expect(dropbox.calls["files/list_folder"]).toBe(1)
      })
    ))
})
