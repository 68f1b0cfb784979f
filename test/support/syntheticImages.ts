import type { RawImage } from "../../src/domain/PerceptualHash.js"
import { Seeded } from "../../src/sandbox/jsonSchemaSample.js"

export interface SyntheticCase {
  readonly name: string
  readonly width: number
  readonly height: number
  readonly channels: RawImage["channels"]
}

/**
 * Images that exercise every branch of Pillow's resampling: downscale and upscale, one axis
 * unchanged, tiny and odd sizes, hard edges (Lanczos overshoot clipped at 0 and 255), alpha.
 * Expected values in pillowExpectations.json come from Pillow 9.4 (test/support/pillow_oracle.py).
 */
export const SYNTHETIC_CASES: ReadonlyArray<SyntheticCase> = [
  { name: "landscape-rgb", width: 1200, height: 800, channels: 3 },
  { name: "portrait-rgba", width: 375, height: 667, channels: 4 },
  { name: "odd-rgb", width: 37, height: 53, channels: 3 },
  { name: "upscale-grey", width: 20, height: 20, channels: 1 },
  { name: "same-width-rgb", width: 32, height: 100, channels: 3 },
  { name: "same-height-grey-alpha", width: 640, height: 32, channels: 2 },
  { name: "identity-rgb", width: 32, height: 32, channels: 3 },
  { name: "one-pixel-rgb", width: 1, height: 1, channels: 3 },
  { name: "thin-rgb", width: 2000, height: 3, channels: 3 },
  { name: "large-rgb", width: 3000, height: 2000, channels: 3 }
]

/** Deterministic pixels: gradients, noise and saturated blocks, per case name. */
export const syntheticImage = ({ channels, height, name, width }: SyntheticCase): RawImage => {
  const rnd = new Seeded(name)
  const data = new Uint8Array(width * height * channels)
  const blocks = Array.from({ length: 6 }, () => ({
    x: rnd.int(0, width),
    y: rnd.int(0, height),
    w: rnd.int(1, Math.max(1, width >> 2)),
    h: rnd.int(1, Math.max(1, height >> 2)),
    v: rnd.next() < 0.5 ? 0 : 255
  }))
  const phase = rnd.next() * 6
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const block = blocks.find((b) => x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h)
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c
        if (channels % 2 === 0 && c === channels - 1) {
          data[i] = (x * 7 + y * 3) & 255
          continue
        }
        const wave = 127 + 90 * Math.sin(phase + c + (x / width) * 5 + (y / height) * 3)
        const noise = (rnd.next() - 0.5) * 60
        data[i] = block ? block.v : Math.max(0, Math.min(255, Math.round(wave + noise)))
      }
    }
  }
  return { width, height, channels, data }
}
