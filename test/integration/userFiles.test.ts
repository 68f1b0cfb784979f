import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import sharp from "sharp"
import { isSidecarText } from "../../src/domain/Sidecar.js"
import { inSandbox, runOnce } from "./sandboxRuns.js"

const v2Sidecar = readFileSync(new URL("../fixtures/publisher_v2/sample.txt", import.meta.url))

describe("a .txt beside a photo that Publisher did not write is never lost (real SDK layers against the emulators)", () => {
  it.live(
    "plain notes, an empty file and binary junk are kept byte for byte as NAME.notes.txt; a publisher_v2 sidecar is used as one",
    () =>
      inSandbox(
        { images: 0, config: { INSTAGRAM_ENABLED: "false", EMAIL_ENABLED: "false" } },
        (sandbox) =>
          Effect.gen(function*() {
            const folder = sandbox.folder
            const userFiles: Record<string, Buffer> = {
              notes: Buffer.from("Taken on the ferry; ask Anna before posting.\n"),
              empty: Buffer.alloc(0),
              junk: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28, 0x00])
            }
            for (const [i, name] of ["notes", "empty", "junk", "v2"].entries()) {
              const jpeg = yield* Effect.promise(() =>
                sharp({
                  create: { width: 40 + i * 7, height: 30, channels: 3, background: { r: 40 * i, g: 90, b: 160 } }
                }).jpeg().toBuffer()
              )
              sandbox.dropbox.files.put(`${folder}/${name}.jpg`, jpeg)
              sandbox.dropbox.files.put(`${folder}/${name}.txt`, userFiles[name] ?? v2Sidecar)
            }
            const kept: Record<string, string | undefined> = {}
            for (let run = 0; run < 4; run++) {
              const result = yield* runOnce()
              expect(result.ok).toBe(true)
              kept[result.image!.replace(/\.jpg$/, "")] = result.user_file_kept
              if (result.user_file_kept !== undefined) expect(result.message).toMatch(/was kept as .*\.notes\.txt/)
            }
            expect(kept).toEqual({
              notes: "notes.notes.txt",
              empty: "empty.notes.txt",
              junk: "junk.notes.txt",
              v2: undefined
            })
            for (const [name, bytes] of Object.entries(userFiles)) {
              // The user's bytes, untouched, where they were; the image and its new sidecar in the archive.
              expect(sandbox.dropbox.files.get(`${folder}/${name}.notes.txt`)?.bytes()).toEqual(bytes)
              expect(
                isSidecarText(sandbox.dropbox.files.get(`${folder}/archive/${name}.txt`)!.bytes().toString("utf8"))
              ).toBe(true)
            }
            expect(sandbox.dropbox.files.get(`${folder}/v2.notes.txt`)).toBeUndefined()
            expect(sandbox.dropbox.files.get(`${folder}/archive/v2.txt`)).toBeDefined()
          })
      ),
    120_000
  )
})
