import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { parseSidecar } from "../../src/domain/Sidecar.js"
import { retryUnfinished } from "../../src/programs/retry.js"
import { FolderConfig } from "../../src/programs/RunOptions.js"
import { callsSince } from "../../src/sandbox/sandbox.js"
import { inSandbox, runOnce } from "./sandboxRuns.js"

describe("workflow against the emulators (real SDK layers)", () => {
  it.live("K runs over N images post each image once, then say 'no new images' without downloading", () =>
    inSandbox({ images: 3 }, (sandbox) =>
      Effect.gen(function*() {
        const posted: Array<string> = []
        for (let run = 0; run < 5; run++) {
          const before = sandbox.calls()
          const result = yield* runOnce()
          const calls = callsSince(before, sandbox.calls())
          if (run < 3) {
            expect(result.ok).toBe(true)
            expect(result.archived).toBe(true)
            expect(result.published["telegram"]?.ok).toBe(true)
            expect(result.published["email"]?.ok).toBe(true)
            expect(result.published["instagram"]?.ok).toBe(true)
            posted.push(result.image!)
            // Exactly one download: the chosen image (the listing shows it has no sidecar).
            expect(calls["dropbox:files/download"]).toBe(1)
            expect(calls["openai:chat/completions"]).toBe(2)
            expect(calls["telegram:sendPhoto"]).toBe(1)
          } else {
            expect(result.image).toBeNull()
            expect(result.message).toMatch(/No new images/)
            expect(calls["dropbox:files/download"]).toBeUndefined()
            expect(calls["openai:chat/completions"]).toBeUndefined()
          }
        }
        expect(new Set(posted).size).toBe(3)
        expect(sandbox.telegram.messages).toHaveLength(3)
        expect(sandbox.smtp.messages.map((m) => m.attachments[0]?.filename).sort()).toEqual([...posted].sort())
        expect(sandbox.instagram.media).toHaveLength(3)
        expect(sandbox.instagram.rejected).toEqual([])
        const archived = sandbox.dropbox.files.list(`${sandbox.folder}/archive`).map((f) => f.name).sort()
        expect(archived).toEqual([...posted.flatMap((n) => [n, n.replace(/\.jpg$/, ".txt")])].sort())
        expect(sandbox.dropbox.files.list(sandbox.folder).filter((f) => f.name.endsWith(".jpg"))).toEqual([])
      })))

  it.live("writes a publisher_v2 sidecar that round-trips, and a second look uses it instead of the AI", () =>
    inSandbox({ images: 1 }, (sandbox) =>
      Effect.gen(function*() {
        const dry = yield* runOnce({ dryPublish: true })
        expect(dry.from_sidecar).toBe(false)
        const sidecarPath = `${sandbox.folder}/${dry.image!.replace(/\.jpg$/, ".txt")}`
        const text = new TextDecoder().decode(sandbox.dropbox.files.get(sidecarPath)!.bytes())
        const sidecar = parseSidecar(text)
        expect(sidecar.sdCaption).toBe(dry.sd_caption)
        expect(Object.fromEntries(sidecar.metadata)).toMatchObject({
          image_file: dry.image,
          content_hash: dry.content_hash,
          caption: dry.caption,
          sd_caption_version: "v1.0"
        })
        expect(sandbox.telegram.messages).toHaveLength(0)

        const before = sandbox.calls()
        const real = yield* runOnce()
        expect(real.from_sidecar).toBe(true)
        expect(real.caption).toBe(dry.caption)
        expect(callsSince(before, sandbox.calls())["openai:chat/completions"]).toBeUndefined()
        expect(sandbox.telegram.messages[0]?.caption).toBe(dry.caption)
      })))

  it.live("lists every page of a large folder", () =>
    inSandbox({ images: 5, pageSize: 2 }, (sandbox) =>
      Effect.gen(function*() {
        const result = yield* runOnce({ preview: true })
        expect(result.image).not.toBeNull()
        expect(sandbox.dropbox.calls["files/list_folder"]).toBe(1)
        expect(sandbox.dropbox.calls["files/list_folder/continue"]).toBe(2)
        // Preview: nothing written, posted or moved.
        expect(sandbox.telegram.messages).toHaveLength(0)
        expect(sandbox.dropbox.calls["files/upload"] ?? 0).toBe(0)
      })))

  it.live("retries a 429 from Telegram after its Retry-After, posting once", () =>
    inSandbox({ images: 1 }, (sandbox) =>
      Effect.gen(function*() {
        sandbox.telegram.inject("sendPhoto", { status: 429, retryAfterSeconds: 1, times: 1 })
        const result = yield* runOnce()
        expect(result.published["telegram"]?.ok).toBe(true)
        expect(sandbox.telegram.calls["sendPhoto"]).toBe(2)
        expect(sandbox.telegram.messages).toHaveLength(1)
      })))

  it.live("every platform failing for good leaves the image in place and unposted", () =>
    inSandbox({ images: 1 }, (sandbox) =>
      Effect.gen(function*() {
        sandbox.telegram.inject("sendPhoto", { status: 400 })
        sandbox.smtp.rejectNext(554)
        sandbox.instagram.inject("media", { status: 400 })
        const first = yield* runOnce()
        expect(first.ok).toBe(false)
        expect(first.archived).toBe(false)
        expect(first.published["telegram"]?.ok).toBe(false)
        expect(first.published["email"]?.ok).toBe(false)
        sandbox.telegram.clearFaults()
        sandbox.instagram.clearFaults()
        const second = yield* runOnce()
        expect(second.image).toBe(first.image)
        expect(second.ok).toBe(true)
      })))

  it.live("one platform failing: the image is live elsewhere, and the next run posts only there, then archives", () =>
    inSandbox({ images: 2 }, (sandbox) =>
      Effect.gen(function*() {
        sandbox.smtp.rejectNext(554)
        const first = yield* runOnce()
        expect(first.published["telegram"]?.status).toBe("published")
        expect(first.published["email"]?.status).toBe("failed")
        expect(first.archived).toBe(false)
        const second = yield* runOnce()
        expect(second.image).toBe(first.image)
        expect(second.resumed).toBe(true)
        expect(second.published["telegram"]?.status).toBe("already_published")
        expect(second.published["email"]?.status).toBe("published")
        expect(second.archived).toBe(true)
        expect(sandbox.telegram.messages).toHaveLength(1)
        expect(sandbox.smtp.messages).toHaveLength(1)
        const third = yield* runOnce()
        expect(third.image).not.toBe(first.image)
      })))

  it.live("stopped between publishing and archiving: the rerun archives and posts nothing twice", () =>
    inSandbox({ images: 1 }, (sandbox) =>
      Effect.gen(function*() {
        sandbox.dropbox.inject("files/move_batch_v2", { status: 500 })
        const failed = yield* runOnce().pipe(Effect.flip)
        expect(failed._tag).toBe("StorageError")
        expect(sandbox.telegram.messages).toHaveLength(1)
        sandbox.dropbox.clearFaults()
        const rerun = yield* runOnce()
        expect(rerun).toMatchObject({ archived: true, resumed: true })
        expect(sandbox.telegram.messages).toHaveLength(1)
        expect(sandbox.smtp.messages).toHaveLength(1)
        expect(sandbox.dropbox.files.list(`${sandbox.folder}/archive`).map((f) => f.name)).toContain(rerun.image)
      })))

  it.live("publisher retry finishes an image on the platform that failed", () =>
    inSandbox({ images: 1 }, (sandbox) =>
      Effect.gen(function*() {
        sandbox.telegram.inject("sendPhoto", { status: 400, times: 1 })
        const first = yield* runOnce()
        expect(first.published["telegram"]?.status).toBe("failed")
        const folders = yield* FolderConfig
        const results = yield* retryUnfinished({ correlationId: "retry-1", ...folders, force: false })
        expect(results).toHaveLength(1)
        expect(results[0]!.published["telegram"]?.status).toBe("published")
        expect(results[0]!.published["email"]?.status).toBe("already_published")
        expect(results[0]!.archived).toBe(true)
        expect(sandbox.smtp.messages).toHaveLength(1)
        expect(yield* retryUnfinished({ correlationId: "retry-2", ...folders, force: false })).toEqual([])
      })))
})
