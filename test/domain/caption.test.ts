import { describe, expect, it } from "@effect/vitest"
import { fitCaption } from "../../src/domain/Caption.js"

describe("fitCaption", () => {
  it("leaves a caption that fits unchanged", () => {
    expect(fitCaption("  short one  ", 1024)).toBe("short one")
  })

  it("cuts at a word boundary with an ellipsis, within the limit", () => {
    const text = "word ".repeat(300)
    const cut = fitCaption(text, 1024)
    expect(cut.length).toBeLessThanOrEqual(1024)
    expect(cut.endsWith("word…")).toBe(true)
  })

  it("never splits a surrogate pair", () => {
    const text = "😀".repeat(600) // 1200 UTF-16 units, no spaces
    const cut = fitCaption(text, 1024)
    expect(cut.length).toBeLessThanOrEqual(1024)
    const body = cut.slice(0, -1)
    expect(body.length % 2).toBe(0)
    expect([...body].every((c) => c === "😀")).toBe(true)
  })
})
