import sharp from "sharp"
import { Seeded } from "./jsonSchemaSample.js"

const SIZES: ReadonlyArray<readonly [number, number]> = [[1600, 1200], [1080, 1350], [1200, 800], [1440, 1440], [
  2048,
  1152
]]
const PALETTES: ReadonlyArray<readonly [string, string, string]> = [
  ["#0b1d3a", "#f29e4c", "#2e4057"],
  ["#87ceeb", "#fdfd96", "#2f4f2f"],
  ["#2c003e", "#ff6f61", "#1b1b2f"],
  ["#a1c4fd", "#c2e9fb", "#4b6043"],
  ["#ffecd2", "#fcb69f", "#6b4226"],
  ["#1e3c72", "#2a5298", "#0f2027"]
]

/** A landscape-like SVG: sky gradient, sun, two ranges of hills. */
const scene = (width: number, height: number, rnd: Seeded): string => {
  const [sky, glow, land] = rnd.pick(PALETTES)
  const sunX = Math.round(width * (0.2 + rnd.next() * 0.6))
  const sunY = Math.round(height * (0.15 + rnd.next() * 0.3))
  const hill = (base: number, amp: number) => {
    const points = Array.from(
      { length: 9 },
      (_, i) => `${Math.round((width * i) / 8)},${Math.round(height * base - rnd.next() * height * amp)}`
    )
    return `0,${height} ${points.join(" ")} ${width},${height}`
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky}"/><stop offset="1" stop-color="${glow}"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#s)"/>
  <circle cx="${sunX}" cy="${sunY}" r="${
    Math.round(Math.min(width, height) * (0.05 + rnd.next() * 0.06))
  }" fill="#fff6d5" opacity="0.9"/>
  <polygon points="${hill(0.7, 0.25)}" fill="${land}" opacity="0.7"/>
  <polygon points="${hill(0.85, 0.15)}" fill="${land}"/>
</svg>`
}

export interface SamplePhoto {
  readonly name: string
  readonly bytes: Buffer
}

/** `count` distinct, deterministic JPEG "photos" of varied sizes and palettes. */
export const generateSamplePhotos = (count: number, seed = 1): Promise<Array<SamplePhoto>> =>
  Promise.all(Array.from({ length: count }, async (_, i) => {
    const rnd = new Seeded(`photo-${seed}-${i}`)
    const [width, height] = SIZES[i % SIZES.length]!
    const bytes = await sharp(Buffer.from(scene(width, height, rnd)))
      .jpeg({ quality: 82, mozjpeg: false })
      .withMetadata({ exif: { IFD0: { ImageDescription: `sandbox photo ${i + 1}` } } })
      .toBuffer()
    return { name: `photo-${String(i + 1).padStart(3, "0")}.jpg`, bytes }
  }))
