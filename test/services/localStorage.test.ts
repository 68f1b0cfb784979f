import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { contentHashOfFile, dropboxContentHash } from "../../src/services/storage/DropboxContentHash.js"
import { LocalStorageLive } from "../../src/services/storage/LocalLive.js"
import { Storage } from "../../src/services/storage/Storage.js"
import { useTempDirs } from "../support/tempDir.js"

const tempDir = useTempDirs()

describe("Dropbox content_hash", () => {
  it("matches the published vectors", () => {
    expect(dropboxContentHash(new TextEncoder().encode("hello world"))).toBe(
      "bc62d4b80d9e36da29c16c5d4d9f11731f36052c72401a76c23c0fb5a9b74423"
    )
    expect(dropboxContentHash(Buffer.alloc(4_194_304, 0x61))).toBe(
      "907a506cf5e706bda5c7a29b43c9c65d8344bd2fa2f22339b359c214812af5a1"
    )
    expect(dropboxContentHash(Buffer.alloc(4_194_305, 0x61))).toBe(
      "5f858b62ccd88447586305aec6fd53c96747cfebf527cbba129a6dfed47d9624"
    )
    expect(dropboxContentHash(new Uint8Array(0))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
  })

  it("hashes a file in chunks to the same value", async () => {
    const dir = await tempDir("publisher-hash-")
    await writeFile(join(dir, "big.bin"), Buffer.alloc(4_194_305, 0x61))
    expect(await contentHashOfFile(join(dir, "big.bin"))).toBe(
      "5f858b62ccd88447586305aec6fd53c96747cfebf527cbba129a6dfed47d9624"
    )
  })
})

const folder = () => Effect.promise(() => tempDir("publisher-local-"))

describe("local folder storage", () => {
  it.live("lists images case-insensitively with their content_hash, not other files", () =>
    Effect.gen(function*() {
      const dir = yield* folder()
      for (const name of ["a.JPG", "b.jpeg", "c.Png", "d.webp", "e.txt", "f.gif"]) {
        yield* Effect.promise(() => writeFile(join(dir, name), name))
      }
      const images = yield* (yield* Storage).listImages(dir)
      expect(images.map((i) => i.name).sort()).toEqual(["a.JPG", "b.jpeg", "c.Png", "d.webp"])
      expect(images.find((i) => i.name === "a.JPG")?.contentHash).toBe(
        dropboxContentHash(new TextEncoder().encode("a.JPG"))
      )
    }).pipe(Effect.provide(LocalStorageLive)))

  it.live("re-hashes a file only when it changed", () =>
    Effect.gen(function*() {
      const dir = yield* folder()
      const path = join(dir, "a.jpg")
      yield* Effect.promise(() => writeFile(path, "one"))
      const storage = yield* Storage
      const first = (yield* storage.listImages(dir))[0]!.contentHash
      yield* Effect.promise(() => writeFile(path, "two"))
      yield* Effect.promise(() => utimes(path, new Date(), new Date(Date.now() + 5000)))
      const second = (yield* storage.listImages(dir))[0]!.contentHash
      expect(first).not.toBe(second)
      expect(second).toBe(dropboxContentHash(new TextEncoder().encode("two")))
    }).pipe(Effect.provide(LocalStorageLive)))

  it.live("sidecar: absent is None; written atomically (no temp files left); read back", () =>
    Effect.gen(function*() {
      const dir = yield* folder()
      const image = join(dir, "a.jpg")
      yield* Effect.promise(() => writeFile(image, "x"))
      const storage = yield* Storage
      expect(Option.isNone(yield* storage.readSidecar(image))).toBe(true)
      yield* storage.writeSidecar(image, "prompt\n")
      expect(yield* storage.readSidecar(image)).toEqual(Option.some("prompt\n"))
      expect((yield* Effect.promise(() => readdir(dir))).sort()).toEqual(["a.jpg", "a.txt"])
    }).pipe(Effect.provide(LocalStorageLive)))

  it.live("archives image and sidecar, never overwriting an archived file", () =>
    Effect.gen(function*() {
      const dir = yield* folder()
      const archive = join(dir, "archive")
      const storage = yield* Storage
      for (const round of [1, 2]) {
        yield* Effect.promise(() => writeFile(join(dir, "a.jpg"), `image ${round}`))
        yield* Effect.promise(() => writeFile(join(dir, "a.txt"), `sidecar ${round}`))
        yield* storage.moveWithSidecar(join(dir, "a.jpg"), archive)
      }
      expect((yield* Effect.promise(() => readdir(archive))).sort()).toEqual([
        "a (1).jpg",
        "a (1).txt",
        "a.jpg",
        "a.txt"
      ])
      expect(yield* Effect.promise(() => readFile(join(archive, "a (1).txt"), "utf8"))).toBe("sidecar 2")
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["archive"])
    }).pipe(Effect.provide(LocalStorageLive)))

  it.live("a move repeated after a crash between the image and its sidecar finishes it (the same content at the destination)", () =>
    Effect.gen(function*() {
      const dir = yield* folder()
      const archive = join(dir, "archive")
      yield* Effect.promise(() => mkdir(archive))
      yield* Effect.promise(() => writeFile(join(archive, "a.jpg"), "image"))
      yield* Effect.promise(() => writeFile(join(dir, "a.txt"), "sidecar"))
      const storage = yield* Storage
      const contentHash = yield* Effect.promise(() => contentHashOfFile(join(archive, "a.jpg")))
      expect(yield* storage.moveWithSidecar(join(dir, "a.jpg"), archive, { contentHash })).toBe(join(archive, "a.jpg"))
      expect((yield* Effect.promise(() => readdir(archive))).sort()).toEqual(["a.jpg", "a.txt"])
      // Not our content there: still an error, nothing touched.
      yield* Effect.promise(() => writeFile(join(dir, "b.txt"), "other sidecar"))
      yield* Effect.promise(() => writeFile(join(archive, "b.jpg"), "other image"))
      expect((yield* storage.moveWithSidecar(join(dir, "b.jpg"), archive, { contentHash }).pipe(Effect.flip))._tag)
        .toBe("StorageError")
      expect(yield* Effect.promise(() => readFile(join(dir, "b.txt"), "utf8"))).toBe("other sidecar")
    }).pipe(Effect.provide(LocalStorageLive)))

  it.live("archives beside an orphan sidecar without overwriting it", () =>
    Effect.gen(function*() {
      const dir = yield* folder()
      const archive = join(dir, "archive")
      yield* Effect.promise(() => mkdir(archive))
      yield* Effect.promise(() => writeFile(join(archive, "a.txt"), "orphan"))
      yield* Effect.promise(() => writeFile(join(dir, "a.jpg"), "image"))
      yield* Effect.promise(() => writeFile(join(dir, "a.txt"), "sidecar"))
      expect(yield* (yield* Storage).moveWithSidecar(join(dir, "a.jpg"), archive)).toBe(join(archive, "a (1).jpg"))
      expect(yield* Effect.promise(() => readFile(join(archive, "a.txt"), "utf8"))).toBe("orphan")
      expect(yield* Effect.promise(() => readFile(join(archive, "a (1).txt"), "utf8"))).toBe("sidecar")
    }).pipe(Effect.provide(LocalStorageLive)))

  // Hashing every file at once fails with EMFILE past the descriptor limit (1024 on Linux, 256 on macOS).
  it.live("lists a folder larger than the usual descriptor limit", () =>
    Effect.gen(function*() {
      const dir = yield* folder()
      yield* Effect.forEach(Array.from({ length: 1100 }, (_, i) => i), (i) =>
        Effect.promise(() => writeFile(join(dir, `p${i}.jpg`), `image ${i}`)), { concurrency: 64 })
      expect(yield* (yield* Storage).listImages(dir)).toHaveLength(1100)
    }).pipe(Effect.provide(LocalStorageLive)))

  it.live("a missing folder is a StorageError", () =>
    Effect.gen(function*() {
      const error = yield* (yield* Storage).listImages("/no/such/folder").pipe(Effect.flip)
      expect(error._tag).toBe("StorageError")
      expect(error.path).toBe("/no/such/folder")
    }).pipe(Effect.provide(LocalStorageLive)))
})
