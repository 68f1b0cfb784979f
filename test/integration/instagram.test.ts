import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import { CaptionPair } from "../../src/domain/Analysis.js"
import type { PublishError } from "../../src/domain/Errors.js"
import { type DropboxEmulator, startDropbox } from "../../src/sandbox/dropbox.js"
import { type InstagramEmulator, type InstagramOptions, startInstagram } from "../../src/sandbox/instagram.js"
import { makeInstagramPublisher } from "../../src/services/publishers/InstagramPublisher.js"
import type { Post } from "../../src/services/publishers/Publisher.js"
import { image, sampleAnalysis } from "../support/fakes.js"
import { instagramTestLayer } from "../support/instagramLayer.js"

const jpeg = (width: number, height: number, format: "jpeg" | "png" = "jpeg") =>
  sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } })[format]().toBuffer()

interface Rig {
  readonly dropbox: DropboxEmulator
  readonly instagram: InstagramEmulator
  readonly publish: (
    name: string,
    bytes: Buffer,
    caption?: string
  ) => Effect.Effect<{ postId: string | undefined }, PublishError>
}

/** The Instagram publisher over real HTTP: Dropbox emulator links, Graph API emulator. */
const withInstagram = <A, E>(options: Partial<InstagramOptions>, body: (rig: Rig) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.promise(async () => ({
      dropbox: await startDropbox({ accessToken: "dbx" }),
      instagram: await startInstagram({ userId: "1784", token: "ig-secret-token", inProgressPolls: 2, ...options })
    })),
    ({ dropbox, instagram }) =>
      Effect.scoped(
        Effect.gen(function*() {
          const publisher = yield* makeInstagramPublisher
          return yield* body({
            dropbox,
            instagram,
            publish: (name, bytes, caption = "Blue hour #sea") => {
              dropbox.files.put(`/Photos/${name}`, bytes)
              const post: Post = {
                image: { ...image(name), path: `/Photos/${name}` } as Post["image"],
                bytes,
                mimeType: name.endsWith(".png") ? "image/png" : "image/jpeg",
                captions: new CaptionPair({ caption, sd_caption: "prompt" }),
                analysis: sampleAnalysis
              }
              return publisher.publish(post)
            }
          })
        }).pipe(
          // The Storage layer lives as long as the test body uses it.
          Effect.provide(
            instagramTestLayer(dropbox, instagram)
          )
        )
      ),
    ({ dropbox, instagram }) => Effect.promise(() => Promise.all([dropbox.close(), instagram.close()]))
  )

describe("Instagram publisher (Graph API content publishing against the emulator)", () => {
  it.live("an acceptable JPEG: container, status polls until FINISHED, media_publish", () =>
    withInstagram({}, ({ instagram, publish }) =>
      Effect.gen(function*() {
        const receipt = yield* publish("portrait.jpg", yield* Effect.promise(() => jpeg(1080, 1350)))
        expect(instagram.media).toHaveLength(1)
        expect(receipt.postId).toBe(instagram.media[0]!.id)
        expect(instagram.media[0]).toMatchObject({ caption: "Blue hour #sea", width: 1080, height: 1350 })
        expect(instagram.calls["content_publishing_limit"]).toBe(1)
        expect(instagram.calls["container_status"]).toBe(3)
        expect(instagram.calls["media_publish"]).toBe(1)
      })))

  it.live("a ratio Instagram rejects is avoided by publishing a prepared copy, removed afterwards", () =>
    withInstagram({}, ({ dropbox, instagram, publish }) =>
      Effect.gen(function*() {
        yield* publish("panorama.jpg", yield* Effect.promise(() => jpeg(3000, 1000)))
        expect(instagram.rejected).toEqual([])
        const published = instagram.media[0]!
        expect(published.width).toBeLessThanOrEqual(1440)
        expect(published.width / published.height).toBeLessThanOrEqual(1.91 + 0.01)
        expect(dropbox.files.list("/Photos").map((f) => f.name)).toEqual(["panorama.jpg"])
      })))

  it.live("a PNG is converted to JPEG", () =>
    withInstagram({}, ({ instagram, publish }) =>
      Effect.gen(function*() {
        yield* publish("square.png", yield* Effect.promise(() => jpeg(1200, 1200, "png")))
        expect(instagram.rejected).toEqual([])
        expect(instagram.media).toHaveLength(1)
      })))

  it.live("daily limit reached: a clear failure, no container created", () =>
    withInstagram({ quotaTotal: 25, quotaUsage: 25 }, ({ instagram, publish }) =>
      Effect.gen(function*() {
        const error = yield* publish("a.jpg", yield* Effect.promise(() => jpeg(1080, 1080))).pipe(Effect.flip)
        expect(error.message).toMatch(/daily limit reached \(25 of 25/)
        expect(instagram.calls["media"]).toBeUndefined()
      })))

  it.live("a publish whose answer is lost after it went live is found PUBLISHED: no second post", () =>
    withInstagram({}, ({ instagram, publish }) =>
      Effect.gen(function*() {
        instagram.inject("media_publish", { dropAfter: true, times: 1 })
        const receipt = yield* publish("a.jpg", yield* Effect.promise(() => jpeg(1080, 1080)))
        expect(instagram.media).toHaveLength(1)
        expect(instagram.calls["media_publish"]).toBe(1)
        expect(receipt.postId).toBe(instagram.media[0]!.container)
      })))

  it.live("a publish that failed before going live is retried once the container says FINISHED", () =>
    withInstagram({}, ({ instagram, publish }) =>
      Effect.gen(function*() {
        instagram.inject("media_publish", { status: 500, times: 1 })
        yield* publish("a.jpg", yield* Effect.promise(() => jpeg(1080, 1080)))
        expect(instagram.media).toHaveLength(1)
        expect(instagram.calls["media_publish"]).toBe(2)
      })))

  it.live("Graph API errors are typed with the platform's message; permanent ones are not retried", () =>
    withInstagram({}, ({ instagram, publish }) =>
      Effect.gen(function*() {
        instagram.inject("media", {
          status: 400,
          body: {
            error: {
              message: "Invalid parameter",
              type: "OAuthException",
              code: 100,
              error_subcode: 2207052,
              is_transient: false
            }
          }
        })
        const error = yield* publish("a.jpg", yield* Effect.promise(() => jpeg(1080, 1080))).pipe(Effect.flip)
        expect(error).toMatchObject({ platform: "instagram", status: 400, transient: false })
        expect(error.message).toContain("Invalid parameter (code 100/2207052)")
        expect(instagram.calls["media"]).toBe(1)
        expect(JSON.stringify(error)).not.toContain("ig-secret-token")
      })))
})
