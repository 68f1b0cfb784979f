import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import { image } from "../support/fakes.js"
import { makeApi } from "../support/webApi.js"
import { API_TOKEN, startWebSandbox } from "../support/webServer.js"

const sizeOf = async (response: Response) => {
  const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata()
  return { format: meta.format, width: meta.width, height: meta.height }
}

describe("GET /api/images/{filename}/thumbnail (publisher_v2's endpoint)", () => {
  it.live(
    "Dropbox renders it: one thumbnail call, no download; JPEG within the size's box, cached by the browser",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { sandbox, url } = yield* startWebSandbox({ images: 1 })
        const before = sandbox.dropbox.calls["files/download"] ?? 0
        const response = yield* Effect.promise(() =>
          fetch(`${url}/api/images/photo-001.jpg/thumbnail?size=w480h320`, {
            headers: { authorization: `Bearer ${API_TOKEN}` }
          })
        )
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("image/jpeg")
        // Private and revalidated: the browser asks again, and a copy it has costs no rendering.
        expect(response.headers.get("cache-control")).toBe("private, no-cache")
        const etag = response.headers.get("etag")!
        expect(etag).toMatch(/^".+-w480h320"$/)
        const size = yield* Effect.promise(() => sizeOf(response))
        const again = yield* Effect.promise(() =>
          fetch(`${url}/api/images/photo-001.jpg/thumbnail?size=w480h320`, {
            headers: { authorization: `Bearer ${API_TOKEN}`, "if-none-match": etag }
          })
        )
        expect(again.status).toBe(304)
        expect(size.format).toBe("jpeg")
        expect(size.width! <= 480 && size.height! <= 320 && (size.width === 480 || size.height === 320)).toBe(true)
        expect(sandbox.dropbox.calls["files/get_thumbnail_batch"]).toBe(1)
        expect(sandbox.dropbox.calls["files/download"] ?? 0).toBe(before)
        const defaults = yield* Effect.promise(() =>
          fetch(`${url}/api/images/photo-001.jpg/thumbnail`, { headers: { authorization: `Bearer ${API_TOKEN}` } })
        )
        const big = yield* Effect.promise(() => sizeOf(defaults))
        expect(big.width! <= 960 && big.height! <= 640).toBe(true)
        expect(
          (yield* Effect.promise(() =>
            fetch(`${url}/api/images/photo-001.jpg/thumbnail?size=huge`, {
              headers: { authorization: `Bearer ${API_TOKEN}` }
            })
          )).status
        ).toBe(400)
        expect((yield* Effect.promise(() => fetch(`${url}/api/images/photo-001.jpg/thumbnail`))).status).toBe(401)
      })),
    60_000
  )

  it("a storage without thumbnails: rendered from the file, turned upright; a file that is no image is a 500, a missing one a 404", async () => {
    const photo = new Uint8Array(
      await sharp({ create: { width: 2000, height: 1000, channels: 3, background: "#446688" } }).jpeg().withMetadata({
        orientation: 6
      }).toBuffer()
    )
    const { call, rec } = makeApi({ images: [image("p.jpg"), image("junk.jpg")], files: { "/photos/p.jpg": photo } })
    const response = await call("GET", "/api/images/p.jpg/thumbnail?size=w256h256")
    expect(response.status).toBe(200)
    expect(await sizeOf(response)).toEqual({ format: "jpeg", width: 128, height: 256 })
    expect(rec.downloads).toEqual(["/photos/p.jpg"])
    expect((await call("GET", "/api/images/junk.jpg/thumbnail")).status).toBe(500)
    expect((await call("GET", "/api/images/none.jpg/thumbnail")).status).toBe(404)
  })
})
