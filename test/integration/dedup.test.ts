import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import { PHASH_ALGORITHM, PHASH_VERSION } from "../../src/domain/PerceptualHash.js"
import { FolderConfig } from "../../src/programs/RunOptions.js"
import { moveDuplicates, scanLibrary } from "../../src/programs/scanLibrary.js"
import { callsSince, type Sandbox } from "../../src/sandbox/sandbox.js"
import { State } from "../../src/services/state/State.js"
import { inSandbox, runOnce } from "./sandboxRuns.js"

/** A re-export of photo-001 (half size, lower quality) and a byte-identical copy of photo-002. */
const addCopies = (sandbox: Sandbox) =>
  Effect.promise(async () => {
    const original = sandbox.dropbox.files.get(`${sandbox.folder}/photo-001.jpg`)!.bytes()
    const meta = await sharp(original).metadata()
    const resized = await sharp(original).resize(Math.round(meta.width / 2)).jpeg({ quality: 70 }).toBuffer()
    sandbox.dropbox.files.put(`${sandbox.folder}/zz-resized-photo-001.jpg`, resized)
    sandbox.dropbox.files.put(
      `${sandbox.folder}/zz-same-as-photo-002.jpg`,
      sandbox.dropbox.files.get(`${sandbox.folder}/photo-002.jpg`)!.bytes()
    )
  })

describe("near-duplicates against the emulators (real SDK layers, real hashing)", () => {
  it.live("scan: thumbnails in one batch call, clusters of copies, a second scan hashes nothing", () =>
    inSandbox({ images: 4 }, (sandbox) =>
      Effect.gen(function*() {
        yield* addCopies(sandbox)
        const before = sandbox.calls()
        const scan = yield* scanLibrary({ folder: sandbox.folder, distance: 8 })
        const calls = callsSince(before, sandbox.calls())
        expect(scan.images).toBe(6)
        // Five distinct contents, one batch of thumbnails, no download.
        expect(calls["dropbox:files/get_thumbnail_batch"]).toBe(1)
        expect(calls["dropbox:files/download"]).toBeUndefined()
        expect(scan.from_thumbnails).toBe(5)
        expect(scan.failed).toEqual([])
        expect(scan.clusters.map((c) => c.map((m) => [m.image, m.exact]))).toEqual([
          [["photo-001.jpg", true], ["zz-resized-photo-001.jpg", false]],
          [["photo-002.jpg", true], ["zz-same-as-photo-002.jpg", true]]
        ])
        const resized = scan.clusters[0]![1]!
        expect(resized.distance).toBeGreaterThanOrEqual(0)
        expect(resized.distance).toBeLessThanOrEqual(8)

        const again = yield* scanLibrary({ folder: sandbox.folder, distance: 8 })
        const second = callsSince(before, sandbox.calls())
        expect(second["dropbox:files/get_thumbnail_batch"]).toBe(1) // unchanged: everything came from State
        expect(again.cached).toBe(6)
        expect(again.clusters).toEqual(scan.clusters)

        // distance 0: identical files only.
        const exact = yield* scanLibrary({ folder: sandbox.folder, distance: 0 })
        expect(exact.clusters.map((c) => c.map((m) => m.image))).toEqual([[
          "photo-002.jpg",
          "zz-same-as-photo-002.jpg"
        ]])

        const moved = yield* moveDuplicates(scan.clusters, `${sandbox.folder}/duplicates`)
        expect(moved.map((m) => m.to).sort()).toEqual([
          `${sandbox.folder}/duplicates/zz-resized-photo-001.jpg`,
          `${sandbox.folder}/duplicates/zz-same-as-photo-002.jpg`
        ])
        expect(sandbox.dropbox.files.list(sandbox.folder).map((f) => f.name).sort()).toEqual([
          "photo-001.jpg",
          "photo-002.jpg",
          "photo-003.jpg",
          "photo-004.jpg"
        ])
      })))

  it.live("runs never post a resized copy of a posted photo; it is recorded and skipped without a download", () =>
    inSandbox({ images: 2, config: { NEAR_DUPLICATE_DISTANCE: "8" } }, (sandbox) =>
      Effect.gen(function*() {
        yield* addCopies(sandbox)
        sandbox.dropbox.files.delete(`${sandbox.folder}/zz-same-as-photo-002.jpg`)
        const first = yield* runOnce({ select: "photo-001.jpg" })
        expect(first.archived).toBe(true)
        expect(first.timings.phash_ms).toBeGreaterThanOrEqual(0)
        const posted: Array<string> = [first.image!]
        const skipped: Array<string> = []
        for (let run = 0; run < 3; run++) {
          const before = sandbox.calls()
          const result = yield* runOnce()
          if (result.image !== null) posted.push(result.image)
          for (const s of result.skipped) {
            expect(s).toMatchObject({ code: "near_duplicate", near_duplicate_of: "photo-001.jpg" })
            skipped.push(s.image)
          }
          if (run === 2) {
            expect(result.image).toBeNull()
            expect(callsSince(before, sandbox.calls())["dropbox:files/download"]).toBeUndefined()
          }
        }
        expect(posted.sort()).toEqual(["photo-001.jpg", "photo-002.jpg"])
        expect(skipped).toEqual(["zz-resized-photo-001.jpg"])
        expect(sandbox.telegram.messages).toHaveLength(2)
        const state = yield* State
        expect((yield* state.nearDuplicateContentHashes).size).toBe(1)
      })))

  it.live("scan: photos in the archive (posted before hashes were kept) count as posted; runs then skip copies of them", () =>
    inSandbox({ images: 2, config: { NEAR_DUPLICATE_DISTANCE: "8" } }, (sandbox) =>
      Effect.gen(function*() {
        const { archiveLocation: archiveFolder } = yield* FolderConfig
        const state = yield* State
        yield* addCopies(sandbox)
        sandbox.dropbox.files.delete(`${sandbox.folder}/zz-same-as-photo-002.jpg`)
        // photo-001 went to the archive with no trace in State, as publisher_v2 (or an old version) leaves it.
        const original = sandbox.dropbox.files.get(`${sandbox.folder}/photo-001.jpg`)!.bytes()
        sandbox.dropbox.files.delete(`${sandbox.folder}/photo-001.jpg`)
        sandbox.dropbox.files.put(`${archiveFolder}/photo-001.jpg`, original)
        expect((yield* state.postedContentHashes).size).toBe(0)

        const missing = yield* scanLibrary({
          folder: sandbox.folder,
          archiveFolder: `${sandbox.folder}/no-such-folder`,
          distance: 8
        })
        expect(missing.archive).toEqual({
          folder: `${sandbox.folder}/no-such-folder`,
          images: 0,
          hashed: 0,
          newly_posted: 0
        })
        expect(missing.posted_matches).toEqual([])

        const scan = yield* scanLibrary({ folder: sandbox.folder, archiveFolder, distance: 8 })
        expect(scan.archive).toEqual({ folder: archiveFolder, images: 1, hashed: 1, newly_posted: 1 })
        expect(scan.posted_matches).toMatchObject([{
          image: "zz-resized-photo-001.jpg",
          near_duplicate_of: "photo-001.jpg"
        }])
        expect((yield* state.postedImageHashes(PHASH_ALGORITHM, PHASH_VERSION)).map((p) => p.imageName)).toEqual([
          "photo-001.jpg"
        ])
        // Idempotent: a second scan hashes and records nothing new.
        const again = yield* scanLibrary({ folder: sandbox.folder, archiveFolder, distance: 8 })
        expect(again.archive).toEqual({ folder: archiveFolder, images: 1, hashed: 0, newly_posted: 0 })

        // The runs post photo-002 and skip the resized copy of the archived photo.
        const first = yield* runOnce()
        const second = yield* runOnce()
        expect([first.image, second.image]).toEqual(["photo-002.jpg", null])
        expect([...first.skipped, ...second.skipped]).toMatchObject([{
          image: "zz-resized-photo-001.jpg",
          code: "near_duplicate",
          near_duplicate_of: "photo-001.jpg"
        }])
        expect(sandbox.telegram.messages).toHaveLength(1)
      })))

  it.live("a broken file in the folder (a truncated download) is skipped and remembered; the good photo is posted", () =>
    inSandbox({ images: 1 }, (sandbox) =>
      Effect.gen(function*() {
        const good = sandbox.dropbox.files.get(`${sandbox.folder}/photo-001.jpg`)!.bytes()
        sandbox.dropbox.files.put(`${sandbox.folder}/aa-broken.jpg`, good.subarray(0, 200))
        sandbox.dropbox.files.put(`${sandbox.folder}/ab-notes.jpg`, new TextEncoder().encode("not a photo at all"))
        const results = [yield* runOnce(), yield* runOnce(), yield* runOnce()]
        expect(results.map((r) => r.image)).toEqual(["photo-001.jpg", null, null])
        const skipped = results.flatMap((r) => r.skipped)
        expect(skipped.filter((s) => s.code === "unusable").map((s) => s.image).sort()).toEqual([
          "aa-broken.jpg",
          "ab-notes.jpg"
        ])
        expect((yield* (yield* State).unusableContentHashes).size).toBe(2)
        // Each broken file was downloaded at most once: later runs skip it by content_hash.
        expect(sandbox.dropbox.calls["files/download"]).toBeLessThanOrEqual(3)
        expect(results[2]!.message).toMatch(/^No new images/)
        expect(sandbox.telegram.messages).toHaveLength(1)
      })))
})
