import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import sharp from "sharp"
import { type DropboxEmulator, startDropbox } from "../../src/sandbox/dropbox.js"
import { makeDropboxStorage } from "../../src/services/storage/DropboxLive.js"
import { Storage } from "../../src/services/storage/Storage.js"
import { configLayer } from "../support/config.js"

const credentials = { appKey: "key", appSecret: "secret", refreshToken: "refresh" }

/** The real Dropbox layer (SDK + routed fetch) against a fresh emulator. */
const withDropbox = <A, E>(
  options: { pageSize?: number; retries?: number; config?: Record<string, string> },
  body: (dropbox: DropboxEmulator) => Effect.Effect<A, E, Storage>
) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startDropbox({ ...credentials, ...(options.pageSize ? { pageSize: options.pageSize } : {}) })),
    (dropbox) =>
      body(dropbox).pipe(
        Effect.provide(
          makeDropboxStorage(options.retries !== undefined ? { retries: options.retries } : {}).pipe(
            Layer.provide(configLayer({
              DROPBOX_API_URL: dropbox.url,
              DROPBOX_CONTENT_URL: dropbox.url,
              DROPBOX_APP_KEY: credentials.appKey,
              DROPBOX_APP_SECRET: credentials.appSecret,
              DROPBOX_REFRESH_TOKEN: credentials.refreshToken,
              ...options.config
            }))
          )
        )
      ),
    (dropbox) => Effect.promise(() => dropbox.close())
  )

const bytes = (s: string) => new TextEncoder().encode(s)

/** A plain-colour JPEG of the given size. */
const jpeg = (width: number, height: number, seed = 0) =>
  sharp({ create: { width, height, channels: 3, background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: 128 } } })
    .jpeg().toBuffer()

/** Width and height of a thumbnail, decoded with sharp; asserts that it is a PNG. */
const sizeOf = (thumbnail: Uint8Array) =>
  Effect.promise(() => sharp(thumbnail).metadata()).pipe(
    Effect.map((meta) => {
      expect(meta.format).toBe("png")
      return { width: meta.width, height: meta.height }
    })
  )

describe("Dropbox storage (dropbox SDK against the emulator)", () => {
  it.live("lists every page, images only, with content_hash; one token refresh for all calls", () =>
    withDropbox({ pageSize: 2 }, (dropbox) =>
      Effect.gen(function*() {
        for (const name of ["a.jpg", "B.JPEG", "c.png", "d.webp", "A.txt", "e.gif"]) {
          dropbox.files.put(`/Photos/${name}`, bytes(name))
        }
        dropbox.files.put("/Photos/archive/old.jpg", bytes("old"))
        const storage = yield* Storage
        const images = yield* storage.listImages("/Photos")
        expect(
          images.map((i) => i.name).sort()
        ).toEqual(["B.JPEG", "a.jpg", "c.png", "d.webp"])
        expect(images.find((i) => i.name === "a.jpg")?.contentHash).toBe(
          dropbox.files.get("/Photos/a.jpg")?.contentHash
        )
        expect(images.filter((i) => i.hasSidecar).map((i) => i.name)).toEqual(["a.jpg"])
        // 7 entries (6 files + 1 folder) in pages of 2.
        expect(dropbox.calls["files/list_folder"]).toBe(1)
        expect(dropbox.calls["files/list_folder/continue"]).toBe(3)
        yield* storage.listImages("/Photos")
        expect(dropbox.calls["oauth2/token"]).toBe(1)
      })))

  it.live("downloads, reads an absent sidecar as None, writes and reads it back", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/ünïcode é.jpg", bytes("jpeg bytes"))
        const storage = yield* Storage
        expect(new TextDecoder().decode(yield* storage.download("/Photos/ünïcode é.jpg"))).toBe("jpeg bytes")
        expect(Option.isNone(yield* storage.readSidecar("/Photos/ünïcode é.jpg"))).toBe(true)
        yield* storage.writeSidecar("/Photos/ünïcode é.jpg", "prompt\n\n# ---\n# tags: [\"ü\"]\n")
        yield* storage.writeSidecar("/Photos/ünïcode é.jpg", "prompt 2\n")
        expect(yield* storage.readSidecar("/Photos/ünïcode é.jpg")).toEqual(Option.some("prompt 2\n"))
      })))

  it.live("archives image and sidecar in one batch move", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", bytes("a"))
        dropbox.files.put("/Photos/a.txt", bytes("sidecar"))
        dropbox.files.put("/Photos/b.jpg", bytes("b"))
        const storage = yield* Storage
        expect(yield* storage.moveWithSidecar("/Photos/a.jpg", "/Photos/archive")).toBe("/Photos/archive/a.jpg")
        expect(dropbox.files.list("/Photos/archive").map((f) => f.name).sort()).toEqual(["a.jpg", "a.txt"])
        expect(dropbox.calls["files/move_batch_v2"]).toBe(1)
        // No sidecar: the same single batch; only the sidecar's entry fails, and that is fine.
        expect(yield* storage.moveWithSidecar("/Photos/b.jpg", "/Photos/archive")).toBe("/Photos/archive/b.jpg")
        expect(dropbox.calls["files/move_batch_v2"]).toBe(2)
        expect(dropbox.calls["files/get_metadata"]).toBeUndefined()
        expect(dropbox.files.list("/Photos").map((f) => f.name)).toEqual([])
        const error = yield* storage.moveWithSidecar("/Photos/gone.jpg", "/Photos/archive").pipe(Effect.flip)
        expect(error.message).toMatch(/the image was not moved/)
      })))

  it.live("a move applied but whose answer was lost is retried and found done (the same content at the destination): a success", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", bytes("a"))
        dropbox.files.put("/Photos/a.txt", bytes("sidecar"))
        const contentHash = dropbox.files.get("/Photos/a.jpg")!.contentHash
        dropbox.inject("files/move_batch_v2", { dropAfter: true, times: 1 })
        expect(yield* (yield* Storage).moveWithSidecar("/Photos/a.jpg", "/Photos/archive", { contentHash })).toBe(
          "/Photos/archive/a.jpg"
        )
        expect(dropbox.calls["files/move_batch_v2"]).toBe(2)
        expect(dropbox.files.list("/Photos/archive").map((f) => f.name).sort()).toEqual(["a.jpg", "a.txt"])
        // Another file at the destination is not taken for ours.
        dropbox.files.put("/Photos/archive/b.jpg", bytes("some other b"))
        const gone = yield* (yield* Storage).moveWithSidecar("/Photos/b.jpg", "/Photos/archive", { contentHash }).pipe(
          Effect.flip
        )
        expect(gone.message).toMatch(/the image was not moved/)
      })))

  it.live("autorename keeps the sidecar paired with the renamed image", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/archive/a.jpg", bytes("archived earlier, without sidecar"))
        dropbox.files.put("/Photos/a.jpg", bytes("a"))
        dropbox.files.put("/Photos/a.txt", bytes("sidecar"))
        expect(yield* (yield* Storage).moveWithSidecar("/Photos/a.jpg", "/Photos/archive")).toBe(
          "/Photos/archive/a (1).jpg"
        )
        expect(dropbox.files.list("/Photos/archive").map((f) => f.name).sort()).toEqual([
          "a (1).jpg",
          "a (1).txt",
          "a.jpg"
        ])
      })))

  it.live("only a not_found error_summary reads as no sidecar, whatever the path says", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.inject("files/download", {
          status: 409,
          body: {
            error_summary: "path/restricted_content/..",
            error: { ".tag": "path", path: { ".tag": "restricted_content" } }
          }
        })
        const error = yield* (yield* Storage).readSidecar("/Photos/not_found.jpg").pipe(Effect.flip)
        expect(error.status).toBe(409)
        expect(error.message).toMatch(/restricted_content/)
      })))

  it.live("a refused refresh token names Dropbox's reason", () =>
    withDropbox({ config: { DROPBOX_REFRESH_TOKEN: "revoked" } }, () =>
      Effect.gen(function*() {
        const error = yield* (yield* Storage).listImages("/Photos").pipe(Effect.flip)
        expect(error.status).toBe(400)
        expect(error.message).toMatch(/invalid_grant: refresh token is malformed/)
        expect(error.message).not.toMatch(/revoked|secret/)
      })))

  it.live("a temporary link serves the bytes", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", bytes("abc"))
        const link = yield* (yield* Storage).temporaryLink("/Photos/a.jpg")
        const body = yield* Effect.promise(() => fetch(link).then((r) => r.text()))
        expect(body).toBe("abc")
      })))

  it.live("thumbnails of 30 images take 2 batch calls; each fits 256 px and keeps its aspect ratio", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        // Landscape, portrait, square and smaller-than-256 images (never enlarged).
        const sizes = Array.from({ length: 30 }, (_, i) =>
          i % 3 === 0
            ? { width: 300 + i * 20, height: 200 + i * 5 }
            : i % 3 === 1
            ? { width: 180 + i * 3, height: 400 + i * 11 }
            : { width: 100 + i, height: 60 + i })
        const paths = sizes.map((_, i) => `/Photos/img-${String(i).padStart(2, "0")}.jpg`)
        for (const [i, size] of sizes.entries()) {
          dropbox.files.put(
            paths[i]!,
            yield* Effect.promise(() => jpeg(size.width, size.height, i))
          )
        }
        const thumbnails = yield* (yield* Storage).thumbnails(paths)
        expect(dropbox.calls["files/get_thumbnail_batch"]).toBe(2)
        expect([...thumbnails.keys()].sort()).toEqual(paths)
        for (const [i, size] of sizes.entries()) {
          const { height, width } = yield* sizeOf(thumbnails.get(paths[i]!)!)
          const longest = Math.max(size.width, size.height)
          const scale = Math.min(1, 256 / longest)
          expect(Math.max(width, height)).toBe(Math.min(256, longest))
          expect(Math.abs(width - size.width * scale)).toBeLessThanOrEqual(1)
          expect(Math.abs(height - size.height * scale)).toBeLessThanOrEqual(1)
        }
      })))

  it.live("a missing path is absent from the thumbnails while the others succeed; no paths, no call", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", yield* Effect.promise(() => jpeg(640, 480)))
        dropbox.files.put("/Photos/b.jpg", yield* Effect.promise(() => jpeg(300, 600)))
        const storage = yield* Storage
        const thumbnails = yield* storage.thumbnails(["/Photos/a.jpg", "/Photos/gone.jpg", "/Photos/b.jpg"])
        expect([...thumbnails.keys()]).toEqual(["/Photos/a.jpg", "/Photos/b.jpg"])
        expect(yield* sizeOf(thumbnails.get("/Photos/a.jpg")!)).toEqual({ width: 256, height: 192 })
        expect(yield* sizeOf(thumbnails.get("/Photos/b.jpg")!)).toEqual({ width: 128, height: 256 })
        expect(dropbox.calls["files/get_thumbnail_batch"]).toBe(1)
        expect((yield* storage.thumbnails([])).size).toBe(0)
        expect(dropbox.calls["files/get_thumbnail_batch"]).toBe(1)
      })))

  it.live("a transient failure of a thumbnail batch is retried; a persistent one is a StorageError", () =>
    withDropbox({ retries: 1 }, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", yield* Effect.promise(() => jpeg(400, 300)))
        const storage = yield* Storage
        dropbox.inject("files/get_thumbnail_batch", { status: 500, times: 1 })
        expect([...(yield* storage.thumbnails(["/Photos/a.jpg"])).keys()]).toEqual(["/Photos/a.jpg"])
        expect(dropbox.calls["files/get_thumbnail_batch"]).toBe(2)
        dropbox.inject("files/get_thumbnail_batch", { status: 429, retryAfterSeconds: 0 })
        const error = yield* storage.thumbnails(["/Photos/a.jpg"]).pipe(Effect.flip)
        expect(error._tag).toBe("StorageError")
        expect(error.operation).toBe("thumbnail_batch")
        expect(error.status).toBe(429)
        expect(dropbox.calls["files/get_thumbnail_batch"]).toBe(4)
      })))

  it.live("retries a 429 after its Retry-After and succeeds", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", bytes("a"))
        dropbox.inject("files/list_folder", { status: 429, retryAfterSeconds: 1, times: 1 })
        const started = Date.now()
        const images = yield* (yield* Storage).listImages("/Photos")
        expect(images).toHaveLength(1)
        expect(dropbox.calls["files/list_folder"]).toBe(2)
        // Behaviour, not speed: the retry waited for the server's Retry-After.
        expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      })))

  it.live("gives up on a persistent 500 with a typed StorageError naming operation and path", () =>
    withDropbox({ retries: 1 }, (dropbox) =>
      Effect.gen(function*() {
        dropbox.inject("files/list_folder", { status: 500 })
        const error = yield* (yield* Storage).listImages("/Photos").pipe(Effect.flip)
        expect(error._tag).toBe("StorageError")
        expect(error.operation).toBe("list")
        expect(error.path).toBe("/Photos")
        expect(error.status).toBe(500)
        expect(dropbox.calls["files/list_folder"]).toBe(2)
      })))

  it.live("a dropped connection is retried", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", bytes("a"))
        dropbox.inject("files/download", { drop: true, times: 1 })
        expect((yield* (yield* Storage).download("/Photos/a.jpg")).length).toBe(1)
        expect(dropbox.calls["files/download"]).toBe(2)
      })))

  it.live("a connection lost in the middle of a download is a retried failure, never a crash", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        dropbox.files.put("/Photos/a.jpg", new Uint8Array(100_000).fill(1))
        dropbox.inject("files/download", { truncate: true, times: 1 })
        expect((yield* (yield* Storage).download("/Photos/a.jpg")).length).toBe(100_000)
        expect(dropbox.calls["files/download"]).toBe(2)
      })))

  it.live("a missing file is a 409 StorageError, not retried", () =>
    withDropbox({}, (dropbox) =>
      Effect.gen(function*() {
        const error = yield* (yield* Storage).download("/Photos/none.jpg").pipe(Effect.flip)
        expect(error.status).toBe(409)
        expect(error.message).toMatch(/not_found/)
        expect(dropbox.calls["files/download"]).toBe(1)
      })))

  it.live("works with a fixed access token instead of refresh-token auth", () =>
    Effect.acquireUseRelease(
      Effect.promise(() => startDropbox({ accessToken: "fixed-token" })),
      (dropbox) =>
        Storage.pipe(
          Effect.flatMap((s) => s.listImages("")),
          Effect.provide(
            makeDropboxStorage().pipe(Layer.provide(configLayer({
              DROPBOX_API_URL: dropbox.url,
              DROPBOX_CONTENT_URL: dropbox.url,
              DROPBOX_ACCESS_TOKEN: "fixed-token"
            })))
          ),
          Effect.map((images) => expect(images).toEqual([]))
        ),
      (dropbox) => Effect.promise(() => dropbox.close())
    ))
})

describe("Dropbox configuration", () => {
  it.effect("names every missing credential when neither auth form is complete", () =>
    Effect.gen(function*() {
      const error = yield* Storage.pipe(
        Effect.provide(makeDropboxStorage().pipe(Layer.provide(configLayer({ DROPBOX_APP_KEY: "key" })))),
        Effect.flip
      )
      const text = String(error)
      expect(text).toContain("DROPBOX_APP_SECRET")
      expect(text).toContain("DROPBOX_REFRESH_TOKEN")
      expect(text).not.toContain("DROPBOX_APP_KEY to exist")
    }))
})
