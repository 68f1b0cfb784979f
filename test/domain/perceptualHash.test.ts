import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { createHash } from "node:crypto"
import {
  bitsAboveMedian,
  fromHex,
  hammingDistance,
  lanczosResize,
  phashOf,
  popcount32,
  toHex,
  toLuma
} from "../../src/domain/PerceptualHash.js"
import expectations from "../support/pillowExpectations.json" with { type: "json" }
import { SYNTHETIC_CASES, syntheticImage } from "../support/syntheticImages.js"

const expected = expectations as Record<string, { readonly pixels_sha256: string; readonly phash: string }>
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

describe("imagehash pHash, bit for bit with Pillow 9.4 + SciPy", () => {
  for (const testCase of SYNTHETIC_CASES) {
    it(`${testCase.name} (${testCase.width}x${testCase.height}, ${testCase.channels} channels)`, () => {
      const image = syntheticImage(testCase)
      const small = lanczosResize(image, 32, 32)
      // The 32x32 grey pixels themselves equal Pillow's convert("L").resize((32, 32), LANCZOS).
      expect(sha256(small)).toBe(expected[testCase.name]!.pixels_sha256)
      expect(phashOf(image)).toBe(expected[testCase.name]!.phash)
    })
  }

  it("luma is Pillow's rounded ITU-R 601-2 in 16-bit fixed point", () => {
    const pixels = new Uint8Array([255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 12, 200, 77])
    const grey = toLuma({ width: 6, height: 1, channels: 3, data: pixels })
    expect(Array.from(grey)).toEqual([
      255,
      0,
      76,
      150,
      29,
      Math.floor((12 * 19595 + 200 * 38470 + 77 * 7471 + 0x8000) / 65536)
    ])
  })

  it("bits: coefficient 0 is the most significant, ties with the median are 0", () => {
    const block = new Float64Array(64).map((_, i) => (i < 32 ? 1 : 0))
    expect(toHex(bitsAboveMedian(block))).toBe("ffffffff00000000") // median (0 + 1) / 2
    expect(toHex(bitsAboveMedian(new Float64Array(64).fill(3)))).toBe("0000000000000000")
    block[63] = 5 // now the two middle values are 1: the ones tie with the median
    expect(toHex(bitsAboveMedian(block))).toBe("0000000000000001")
  })
})

describe("hex and Hamming helpers", () => {
  const word = fc.integer({ min: 0, max: 0xffffffff })
  it("toHex / fromHex round-trip; anything else is rejected", () => {
    fc.assert(fc.property(word, word, (hi, lo) => {
      const hex = toHex({ hi, lo })
      expect(hex).toMatch(/^[0-9a-f]{16}$/)
      expect(fromHex(hex)).toEqual({ hi, lo })
      expect(fromHex(hex.toUpperCase())).toEqual({ hi, lo })
    }))
    for (const bad of ["", "abc", "g".repeat(16), "0".repeat(17), " 0000000000000000"]) {
      expect(fromHex(bad)).toBeUndefined()
    }
  })

  it("popcount and distance agree with counting bits one by one", () => {
    fc.assert(fc.property(word, word, word, word, (ah, al, bh, bl) => {
      const naive = [...((BigInt(ah) << 32n | BigInt(al)) ^ (BigInt(bh) << 32n | BigInt(bl))).toString(2)].filter((c) =>
        c === "1"
      ).length
      expect(hammingDistance({ hi: ah, lo: al }, { hi: bh, lo: bl })).toBe(naive)
      expect(popcount32(ah)).toBe([...ah.toString(2)].filter((c) => c === "1").length)
    }))
  })
})
