/**
 * What Instagram's content publishing API accepts for a photo: JPEG, at most 8 MB, aspect ratio
 * (width / height) between 4:5 and 1.91:1, width at most 1440 px.
 */
export const INSTAGRAM_IMAGE = {
  maxBytes: 8 * 1024 * 1024,
  minRatio: 4 / 5,
  maxRatio: 1.91,
  maxWidth: 1440
} as const

export interface ImageFacts {
  readonly format: string
  readonly width: number
  readonly height: number
  readonly bytes: number
}

export type InstagramPlan =
  | { readonly _tag: "AsIs" }
  | {
    readonly _tag: "Prepare"
    /** Region of the original to keep (crop), or the whole image when padding. */
    readonly extract: { readonly left: number; readonly top: number; readonly width: number; readonly height: number }
    /** Final canvas. */
    readonly width: number
    readonly height: number
    readonly fit: "crop" | "pad"
    readonly reasons: ReadonlyArray<string>
  }

const clamp = (ratio: number) => Math.min(INSTAGRAM_IMAGE.maxRatio, Math.max(INSTAGRAM_IMAGE.minRatio, ratio))

/**
 * Whether the original can be published as it is, and if not, how to make an acceptable copy:
 * crop (centred) or pad to the nearest allowed ratio, then scale to at most 1440 px wide.
 */
export const planInstagramImage = (facts: ImageFacts, fit: "crop" | "pad" = "crop"): InstagramPlan => {
  const ratio = facts.width / facts.height
  const reasons: Array<string> = []
  const isJpeg = facts.format === "jpeg" || facts.format === "jpg"
  if (!isJpeg) reasons.push(`format ${facts.format}`)
  if (facts.bytes > INSTAGRAM_IMAGE.maxBytes) reasons.push(`${facts.bytes} bytes`)
  if (ratio < INSTAGRAM_IMAGE.minRatio - 1e-9 || ratio > INSTAGRAM_IMAGE.maxRatio + 1e-9) {
    reasons.push(`ratio ${ratio.toFixed(3)}`)
  }
  if (facts.width > INSTAGRAM_IMAGE.maxWidth) reasons.push(`width ${facts.width}`)
  if (reasons.length === 0) return { _tag: "AsIs" }

  const target = clamp(ratio)
  let region = { left: 0, top: 0, width: facts.width, height: facts.height }
  let canvasW = facts.width
  let canvasH = facts.height
  if (Math.abs(target - ratio) > 1e-9) {
    if (fit === "crop") {
      const width = ratio > target ? Math.round(facts.height * target) : facts.width
      const height = ratio > target ? facts.height : Math.round(facts.width / target)
      region = {
        left: Math.floor((facts.width - width) / 2),
        top: Math.floor((facts.height - height) / 2),
        width,
        height
      }
      canvasW = width
      canvasH = height
    } else {
      canvasW = ratio < target ? Math.round(facts.height * target) : facts.width
      canvasH = ratio < target ? facts.height : Math.round(facts.width / target)
    }
  }
  const scale = Math.min(1, INSTAGRAM_IMAGE.maxWidth / canvasW)
  return {
    _tag: "Prepare",
    extract: region,
    width: Math.max(1, Math.round(canvasW * scale)),
    height: Math.max(1, Math.round(canvasH * scale)),
    fit,
    reasons
  }
}
