/**
 * The 64-bit perceptual hash of the Python `imagehash` library (`imagehash.phash`, hash_size 8,
 * highfreq_factor 4), reproduced bit for bit so our hashes compare with hashes users keep in their
 * own databases:
 *
 *   grey = Pillow `convert("L")`       ITU-R 601-2 luma in 16-bit fixed point, rounded
 *   small = Pillow `resize((32, 32), LANCZOS)`  separable, horizontal pass first, coefficients
 *                                      normalised to 22-bit fixed point, each pass clipped to 0..255
 *   dct = DCT-II of the 32x32 pixels, rows then columns; keep the top-left 8x8 (DC included)
 *   bit = coefficient > median of those 64; first bit (row 0, column 0) most significant
 *
 * Pure and synchronous: callers run it off the event loop (see services/phash).
 */

/** Algorithm name and version stored beside every hash: a change of either invalidates caches. */
export const PHASH_ALGORITHM = "imagehash-phash-8x8"
export const PHASH_VERSION = 1

/** Decoded pixels, interleaved 8-bit samples (1 to 4 channels: grey, grey+alpha, RGB, RGBA). */
export interface RawImage {
  readonly width: number
  readonly height: number
  readonly channels: 1 | 2 | 3 | 4
  readonly data: Uint8Array
}

/**
 * Pillow's `convert("L")` of row `y` into `out` (`width` bytes): `(r*19595 + g*38470 + b*7471 +
 * 0x8000) >> 16`; alpha ignored. Grey images are read in place, with no copy.
 */
const lumaRow = (image: RawImage, y: number, out: Uint8Array): Uint8Array => {
  const { channels, data, width } = image
  if (channels === 1) return data.subarray(y * width, (y + 1) * width)
  let p = y * width * channels
  if (channels === 2) {
    for (let x = 0; x < width; x++, p += 2) out[x] = data[p]!
  } else {
    for (let x = 0; x < width; x++, p += channels) {
      out[x] =
        (Math.imul(data[p]!, 19595) + Math.imul(data[p + 1]!, 38470) + Math.imul(data[p + 2]!, 7471) + 0x8000) >>> 16
    }
  }
  return out
}

/** The whole image through `convert("L")`. */
export const toLuma = (image: RawImage): Uint8Array => {
  const grey = new Uint8Array(image.width * image.height)
  const row = new Uint8Array(image.width)
  for (let y = 0; y < image.height; y++) grey.set(lumaRow(image, y, row), y * image.width)
  return grey
}

const PRECISION_BITS = 32 - 8 - 2
const ROUNDING = 1 << (PRECISION_BITS - 1)
const SCALE = 2 ** PRECISION_BITS
const LANCZOS_SUPPORT = 3

const sinc = (x: number): number => {
  if (x === 0) return 1
  const px = x * Math.PI
  return Math.sin(px) / px
}

const lanczos = (x: number): number => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0)

/** Pillow's per-output-pixel filter taps: first source index, tap count, fixed-point weights. */
interface Taps {
  readonly ksize: number
  readonly first: Int32Array
  readonly count: Int32Array
  readonly weights: Int32Array
}

/** `precompute_coeffs` + `normalize_coeffs_8bpc` of Pillow's Resample.c, for the whole axis. */
const taps = (inSize: number, outSize: number): Taps => {
  const scale = inSize / outSize
  const filterscale = Math.max(scale, 1)
  const support = LANCZOS_SUPPORT * filterscale
  const ksize = Math.ceil(support) * 2 + 1
  const first = new Int32Array(outSize)
  const count = new Int32Array(outSize)
  const weights = new Int32Array(outSize * ksize)
  const k = new Float64Array(ksize)
  const ss = 1 / filterscale
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale
    // C's (int) truncates toward zero.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0)
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin
    let ww = 0
    for (let x = 0; x < xmax; x++) {
      const w = lanczos((x + xmin - center + 0.5) * ss)
      k[x] = w
      ww += w
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * SCALE) : Math.trunc(0.5 + w * SCALE)
    }
    first[xx] = xmin
    count[xx] = xmax
  }
  return { ksize, first, count, weights }
}

/** Fixed-point sum -> 0..255 (Pillow's `clip8`: arithmetic shift, then clamp). */
const clip8 = (sum: number): number => {
  const v = sum >> PRECISION_BITS
  return v < 0 ? 0 : v > 255 ? 255 : v
}

/**
 * Pillow's `Image.resize((outWidth, outHeight), Image.LANCZOS)` of the image's `convert("L")`: the
 * horizontal pass over the rows the vertical pass reads (each row converted to grey as it is read,
 * so no full-size grey copy is made), then the vertical pass; an axis whose size does not change is
 * not resampled. Sums are 32-bit integers as in Pillow's C (`Math.imul`, `| 0`).
 */
export const lanczosResize = (image: RawImage, outWidth: number, outHeight: number): Uint8Array => {
  const { height, width } = image
  const vertical = taps(height, outHeight)
  const rowFirst = height === outHeight ? 0 : vertical.first[0]!
  const rows = height === outHeight
    ? height
    : vertical.first[outHeight - 1]! + vertical.count[outHeight - 1]! - rowFirst
  // Horizontal pass (or, when the width stays, the grey rows themselves) over rows rowFirst.. .
  const temp = new Uint8Array(outWidth * rows)
  const rowBuffer = new Uint8Array(width)
  const h = width === outWidth ? undefined : taps(width, outWidth)
  for (let y = 0; y < rows; y++) {
    const grey = lumaRow(image, y + rowFirst, rowBuffer)
    if (h === undefined) {
      temp.set(grey, y * outWidth)
      continue
    }
    const { count, first, ksize, weights } = h
    for (let xx = 0; xx < outWidth; xx++) {
      // Four sums, added at the end: the same 32-bit result in any order (addition modulo 2^32).
      let p = first[xx]!
      const end = p + count[xx]!
      const end4 = end - 3
      let w = xx * ksize
      let s0 = ROUNDING
      let s1 = 0
      let s2 = 0
      let s3 = 0
      for (; p < end4; p += 4, w += 4) {
        s0 = (s0 + Math.imul(grey[p]!, weights[w]!)) | 0
        s1 = (s1 + Math.imul(grey[p + 1]!, weights[w + 1]!)) | 0
        s2 = (s2 + Math.imul(grey[p + 2]!, weights[w + 2]!)) | 0
        s3 = (s3 + Math.imul(grey[p + 3]!, weights[w + 3]!)) | 0
      }
      for (; p < end; p++, w++) s0 = (s0 + Math.imul(grey[p]!, weights[w]!)) | 0
      temp[y * outWidth + xx] = clip8((s0 + s1 + s2 + s3) | 0)
    }
  }
  if (height === outHeight) return temp
  const out = new Uint8Array(outWidth * outHeight)
  const { count, first, ksize, weights } = vertical
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = first[yy]! - rowFirst
    const n = count[yy]!
    const base = yy * ksize
    for (let xx = 0; xx < outWidth; xx++) {
      let sum = ROUNDING
      for (let y = 0; y < n; y++) sum = (sum + Math.imul(temp[(ymin + y) * outWidth + xx]!, weights[base + y]!)) | 0
      out[yy * outWidth + xx] = clip8(sum)
    }
  }
  return out
}

const SIDE = 32
const KEEP = 8

/** cos(pi * k * (2n + 1) / 64) for k < 8, n < 32: the only DCT-II rows the hash reads. */
const COSINES = (() => {
  const table = new Float64Array(KEEP * SIDE)
  for (let k = 0; k < KEEP; k++) {
    for (let n = 0; n < SIDE; n++) table[k * SIDE + n] = Math.cos((Math.PI * k * (2 * n + 1)) / (2 * SIDE))
  }
  return table
})()

/** The low-frequency 8x8 block of the unnormalised 2-D DCT-II (axis 0, then axis 1), row-major. */
export const lowFrequencyDct = (pixels: Uint8Array): Float64Array => {
  const columns = new Float64Array(KEEP * SIDE)
  for (let k = 0; k < KEEP; k++) {
    for (let j = 0; j < SIDE; j++) {
      let sum = 0
      for (let i = 0; i < SIDE; i++) sum += pixels[i * SIDE + j]! * COSINES[k * SIDE + i]!
      columns[k * SIDE + j] = 2 * sum
    }
  }
  const block = new Float64Array(KEEP * KEEP)
  for (let k = 0; k < KEEP; k++) {
    for (let l = 0; l < KEEP; l++) {
      let sum = 0
      for (let j = 0; j < SIDE; j++) sum += columns[k * SIDE + j]! * COSINES[l * SIDE + j]!
      block[k * KEEP + l] = 2 * sum
    }
  }
  return block
}

/** A 64-bit hash as two unsigned 32-bit halves (what the index stores). */
export interface HashWords {
  readonly hi: number
  readonly lo: number
}

/** bit = coefficient > median (mean of the two middle values); coefficient 0 is the top bit. */
export const bitsAboveMedian = (block: Float64Array): HashWords => {
  const sorted = Float64Array.from(block).sort()
  const median = (sorted[31]! + sorted[32]!) / 2
  let hi = 0
  let lo = 0
  for (let i = 0; i < 32; i++) hi = (hi << 1) | (block[i]! > median ? 1 : 0)
  for (let i = 32; i < 64; i++) lo = (lo << 1) | (block[i]! > median ? 1 : 0)
  return { hi: hi >>> 0, lo: lo >>> 0 }
}

/** imagehash's pHash of decoded pixels, as 16 lower-case hex digits. */
export const phashOf = (image: RawImage): string => {
  const small = lanczosResize(image, SIDE, SIDE)
  return toHex(bitsAboveMedian(lowFrequencyDct(small)))
}

export const toHex = ({ hi, lo }: HashWords): string =>
  hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0")

const HEX64 = /^[0-9a-f]{16}$/

export const isPhashHex = (s: string): boolean => HEX64.test(s)

/** 16 hex digits -> halves; undefined when `hex` is not a 64-bit hex hash. */
export const fromHex = (hex: string): HashWords | undefined => {
  const h = hex.toLowerCase()
  if (!HEX64.test(h)) return undefined
  return { hi: Number.parseInt(h.slice(0, 8), 16) >>> 0, lo: Number.parseInt(h.slice(8), 16) >>> 0 }
}

/** Set bits of a 32-bit value. */
export const popcount32 = (v: number): number => {
  v = v - ((v >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24)
}

export const hammingDistance = (a: HashWords, b: HashWords): number => popcount32(a.hi ^ b.hi) + popcount32(a.lo ^ b.lo)

/** Distance between two hex hashes (both must be valid). */
export const hexDistance = (a: string, b: string): number => hammingDistance(fromHex(a)!, fromHex(b)!)
