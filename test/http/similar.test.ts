import { describe, expect, it } from "@effect/vitest"
import { image } from "../support/fakes.js"
import { makeApi } from "../support/webApi.js"

const images = [
  image("a.jpg"),
  image("b.jpg"),
  image("c.jpg"),
  image("same-as-a.jpg", "hash-a.jpg"),
  image("broken.jpg")
]
const phashes = {
  "a.jpg": "0000000000000000",
  "b.jpg": "0000000000000007",
  "c.jpg": "ffffffffffffffff",
  "broken.jpg": "0000000000000001"
}
const posted = [{ contentHash: "hash-old.jpg", imageName: "old.jpg", phash: "0000000000000003" }]

describe("GET /api/images/{filename}/similar", () => {
  it("answers folder and posted images within the distance, nearest first, hashing each content once", async () => {
    const { call, rec } = makeApi({ images, phashes, postedPhashes: posted })
    const response = await call("GET", "/api/images/a.jpg/similar")
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      filename: "a.jpg",
      content_hash: "hash-a.jpg",
      phash: "0000000000000000",
      algorithm: "imagehash-phash-8x8",
      max_distance: 12,
      similar: [
        {
          filename: "same-as-a.jpg",
          content_hash: "hash-a.jpg",
          phash: "0000000000000000",
          distance: 0,
          posted: false,
          in_folder: true
        },
        {
          filename: "broken.jpg",
          content_hash: "hash-broken.jpg",
          phash: "0000000000000001",
          distance: 1,
          posted: false,
          in_folder: true
        },
        {
          filename: "old.jpg",
          content_hash: "hash-old.jpg",
          phash: "0000000000000003",
          distance: 2,
          posted: true,
          in_folder: false
        },
        {
          filename: "b.jpg",
          content_hash: "hash-b.jpg",
          phash: "0000000000000007",
          distance: 3,
          posted: false,
          in_folder: true
        }
      ]
    })
    // Four distinct contents in the folder, each downloaded and hashed once (the fakes give no thumbnails).
    expect(rec.downloads.sort()).toEqual(["/photos/a.jpg", "/photos/b.jpg", "/photos/broken.jpg", "/photos/c.jpg"])
    const narrow = await (await call("GET", "/api/images/a.jpg/similar?limit=2&max_distance=1")).json() as {
      similar: Array<{ filename: string }>
    }
    expect(narrow.similar.map((s) => s.filename)).toEqual(["same-as-a.jpg", "broken.jpg"])
    expect(rec.downloads).toHaveLength(4) // the hashes came from State
  })

  it("400 for bad parameters, 404 for an unknown file, 401 without credentials, 500 when the image cannot be hashed", async () => {
    const { call } = makeApi({ images, phashes, undecodable: ["broken.jpg"] })
    expect((await call("GET", "/api/images/a.jpg/similar?max_distance=33")).status).toBe(400)
    expect((await call("GET", "/api/images/a.jpg/similar?limit=0")).status).toBe(400)
    expect((await call("GET", "/api/images/a.jpg/similar?limit=two")).status).toBe(400)
    expect((await call("GET", "/api/images/nope.jpg/similar")).status).toBe(404)
    expect((await call("GET", "/api/images/a.jpg/similar", { headers: { authorization: "" } })).status).toBe(401)
    const broken = await call("GET", "/api/images/broken.jpg/similar")
    expect(broken.status).toBe(500)
    expect(await broken.json()).toMatchObject({ error: "The image could not be hashed" })
    // The others still answer.
    expect((await call("GET", "/api/images/c.jpg/similar")).status).toBe(200)
  })
})
