import sharp from "sharp"
import type { RawImage } from "../../domain/PerceptualHash.js"

/**
 * Decodes image bytes to the pixels Pillow's `Image.open` sees: the stored samples, no ICC
 * transform (`ignoreIcc`), no EXIF rotation. 16-bit images follow Pillow: RGB keeps each sample's
 * high byte; grey becomes mode "I", whose `convert("L")` clips at 255.
 */
export const decodeForHash = async (bytes: Uint8Array): Promise<RawImage> => {
  const input = sharp(bytes, { ignoreIcc: true, failOn: "error", limitInputPixels: 1 << 28 })
  const meta = await input.metadata()
  if (meta.depth === "ushort") {
    const grey = (meta.channels ?? 3) <= 2
    const { data, info } = await input
      .toColourspace(grey ? "grey16" : "rgb16")
      .raw({ depth: "ushort" })
      .toBuffer({ resolveWithObject: true })
    const samples = new Uint16Array(data.buffer, data.byteOffset, data.byteLength >> 1)
    const out = new Uint8Array(samples.length)
    for (let i = 0; i < samples.length; i++) out[i] = grey ? Math.min(samples[i]!, 255) : samples[i]! >>> 8
    return { width: info.width, height: info.height, channels: info.channels as RawImage["channels"], data: out }
  }
  const { data, info } = await input.raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, channels: info.channels as RawImage["channels"], data }
}
