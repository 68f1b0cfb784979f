import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { planVisionImage } from "../../src/domain/VisionImage.js"

describe("planVisionImage", () => {
  it("scales the long side down to the limit, keeping the aspect ratio", () => {
    expect(planVisionImage({ format: "jpeg", width: 6000, height: 4000 }, 1024)).toEqual({
      _tag: "Resize",
      width: 1024,
      height: 683
    })
    expect(planVisionImage({ format: "png", width: 1000, height: 3000 }, 1024)).toEqual({
      _tag: "Resize",
      width: 341,
      height: 1024
    })
  })

  it("sends a small upright image of an accepted format as it is; converts or turns the others", () => {
    expect(planVisionImage({ format: "jpeg", width: 1024, height: 768 }, 1024)).toEqual({ _tag: "Original" })
    expect(planVisionImage({ format: "webp", width: 500, height: 500, orientation: 1 }, 1024)).toEqual({
      _tag: "Original"
    })
    expect(planVisionImage({ format: "tiff", width: 500, height: 400 }, 1024)).toEqual({
      _tag: "Resize",
      width: 500,
      height: 400
    })
    expect(planVisionImage({ format: "jpeg", width: 800, height: 600, orientation: 6 }, 1024)).toEqual({
      _tag: "Resize",
      width: 600,
      height: 800
    })
    expect(planVisionImage({ format: "jpeg", width: 4000, height: 3000, orientation: 8 }, 1000)).toEqual({
      _tag: "Resize",
      width: 750,
      height: 1000
    })
  })

  it("0 sends every image as it is", () => {
    expect(planVisionImage({ format: "tiff", width: 9000, height: 9000, orientation: 6 }, 0)).toEqual({
      _tag: "Original"
    })
  })

  it("never exceeds the limit, never enlarges, and keeps the ratio within a pixel", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20000 }),
      fc.integer({ min: 1, max: 20000 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 256, max: 8192 }),
      (width, height, orientation, max) => {
        const plan = planVisionImage({ format: "jpeg", width, height, orientation }, max)
        if (plan._tag === "Original") {
          expect(Math.max(width, height) <= max && orientation === 1).toBe(true)
          return
        }
        const [w, h] = orientation >= 5 ? [height, width] : [width, height]
        expect(Math.max(plan.width, plan.height)).toBeLessThanOrEqual(Math.max(max, 1))
        expect(plan.width).toBeLessThanOrEqual(w)
        expect(plan.height).toBeLessThanOrEqual(h)
        expect(Math.abs(plan.width * h - plan.height * w)).toBeLessThanOrEqual(Math.max(w, h))
      }
    ))
  })
})
