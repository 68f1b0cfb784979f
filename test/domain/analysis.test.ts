import { describe, expect, it } from "@effect/vitest"
import { analysisJsonSchema, CaptionPair, captionPairJsonSchema, ImageAnalysis } from "../../src/domain/Analysis.js"

describe("analysis JSON schemas", () => {
  it("describe exactly the fields of the Schema classes (strict mode: all required)", () => {
    const keys = (s: Record<string, unknown>) => Object.keys(s["properties"] as object).sort()
    expect(keys(analysisJsonSchema)).toEqual(Object.keys(ImageAnalysis.fields).sort())
    expect((analysisJsonSchema["required"] as Array<string>).slice().sort()).toEqual(
      Object.keys(ImageAnalysis.fields).sort()
    )
    expect(keys(captionPairJsonSchema)).toEqual(Object.keys(CaptionPair.fields).sort())
    expect(analysisJsonSchema["additionalProperties"]).toBe(false)
  })
})
