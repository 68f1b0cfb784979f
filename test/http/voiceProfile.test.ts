import { describe, expect, it } from "@effect/vitest"
import { image } from "../support/fakes.js"
import { makeApi } from "../support/webApi.js"

describe("/api/config/voice-profile (publisher_v2's runtime voice profile)", () => {
  it("needs an admin session", async () => {
    const { call } = makeApi({ images: [image("a.jpg")] })
    expect((await call("GET", "/api/config/voice-profile")).status).toBe(403)
    expect((await call("POST", "/api/config/voice-profile", { body: { voice_profile: ["x"] } })).status).toBe(403)
  })

  it("shows CAPTION_EXAMPLES until set here; a set list is kept in State and reaches the next caption call", async () => {
    const { admin, rec } = makeApi({ images: [image("a.jpg")] }, {
      CAPTION_EXAMPLES: JSON.stringify(["From the environment."])
    })
    expect(await (await admin("GET", "/api/config/voice-profile")).json()).toEqual({
      voice_profile: ["From the environment."],
      enabled: true
    })

    const set = await admin("POST", "/api/config/voice-profile", { voice_profile: ["Quiet light.", "Salt air."] })
    expect(set.status).toBe(200)
    expect(await set.json()).toEqual({ voice_profile: ["Quiet light.", "Salt air."], enabled: true })
    expect(rec.settings.get("caption_examples")).toBe(JSON.stringify(["Quiet light.", "Salt air."]))
    expect(await (await admin("GET", "/api/config/voice-profile")).json()).toEqual({
      voice_profile: ["Quiet light.", "Salt air."],
      enabled: true
    })

    expect((await admin("POST", "/api/images/a.jpg/analyze?force_refresh=true")).status).toBe(200)
    expect(rec.captionExamples.at(-1)).toEqual(["Quiet light.", "Salt air."])

    // An empty list turns the examples off (over the environment's).
    expect(await (await admin("POST", "/api/config/voice-profile", { voice_profile: [] })).json()).toEqual({
      voice_profile: null,
      enabled: false
    })
  })

  it("refuses what is not a list of at most 20 non-blank captions (400), changing nothing", async () => {
    const { admin, rec } = makeApi({ images: [image("a.jpg")] })
    for (const voice_profile of [["ok", "  "], Array.from({ length: 21 }, (_, i) => `c${i}`)]) {
      const response = await admin("POST", "/api/config/voice-profile", { voice_profile })
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({
        error: "Invalid voice_profile",
        detail: "voice_profile must be a JSON list of at most 20 non-blank strings"
      })
    }
    expect((await admin("POST", "/api/config/voice-profile", { voice_profile: "not a list" })).status).toBe(400)
    expect(rec.settings.size).toBe(0)
  })
})
