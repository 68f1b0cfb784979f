import { createHash } from "node:crypto"

/** Deterministic pseudo-random numbers from a seed string (for emulator answers). */
export class Seeded {
  private state: number
  constructor(seed: string) {
    this.state = createHash("sha256").update(seed).digest().readUInt32LE(0) || 1
  }
  next(): number {
    // xorshift32
    let x = this.state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.state = x >>> 0
    return this.state / 0x100000000
  }
  pick<A>(items: ReadonlyArray<A>): A {
    return items[Math.floor(this.next() * items.length)]!
  }
  some<A>(items: ReadonlyArray<A>, count: number): Array<A> {
    const pool = [...items]
    const out: Array<A> = []
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!)
    return out
  }
}

const SUBJECTS = ["a lighthouse on a rocky coast", "a quiet mountain lake", "an old street at dusk", "a field of sunflowers", "a harbour with small boats", "a forest path in autumn", "a city skyline at night", "a desert road under a wide sky"]
const MOODS = ["calm", "nostalgic", "dramatic", "joyful", "serene", "moody"]
const TAGS = ["landscape", "travel", "sunset", "nature", "city", "coast", "autumn", "light", "blue hour", "film", "outdoors", "wanderlust"]
const STYLES = ["landscape photography", "street photography", "fine art", "documentary", "minimalist"]
const LIGHTING = ["golden hour", "soft overcast light", "blue hour", "hard midday sun", "backlit haze"]
const PALETTES = ["teal and orange", "muted pastels", "deep blues and warm highlights", "earthy greens and browns"]
const CAPTIONS = ["Some places ask you to slow down.", "Light like this never stays long.", "Found a little quiet today.", "Where the road bends, the story starts.", "Colours you can almost hear."]

/** Photo-like words for properties we know by name; undefined for the others. */
const known = (name: string, rnd: Seeded): unknown => {
  const subject = rnd.pick(SUBJECTS)
  switch (name) {
    case "description": return `${subject}, photographed in ${rnd.pick(LIGHTING)}`
    case "mood": return rnd.pick(MOODS)
    case "tags": return rnd.some(TAGS, 4)
    case "aesthetic_terms": return rnd.some(["cinematic", "airy", "grainy", "crisp", "dreamy"], 2)
    case "nsfw": return false
    case "safety_labels": return []
    case "subject": return subject
    case "style": return rnd.pick(STYLES)
    case "lighting": return rnd.pick(LIGHTING)
    case "color_palette": return rnd.pick(PALETTES)
    case "camera": return rnd.pick(["35mm", "wide angle", "telephoto", "50mm prime"])
    case "composition": return rnd.pick(["rule of thirds", "centered", "leading lines", "symmetry"])
    case "caption": return `${rnd.pick(CAPTIONS)} ${rnd.some(TAGS, 3).map((t) => `#${t.replace(/\s+/g, "")}`).join(" ")}`
    case "sd_caption": return `${subject}, ${rnd.pick(LIGHTING)}, ${rnd.pick(STYLES)}, ${rnd.pick(PALETTES)}, highly detailed`
    default: return undefined
  }
}

type JsonSchema = { readonly [k: string]: unknown }

/** A value valid against `schema` (the subset strict structured outputs use). */
export const sampleOf = (schema: JsonSchema, rnd: Seeded, name = ""): unknown => {
  if (Array.isArray(schema["enum"])) return rnd.pick(schema["enum"] as Array<unknown>)
  if (Array.isArray(schema["anyOf"])) {
    const options = (schema["anyOf"] as Array<JsonSchema>).filter((s) => s["type"] !== "null")
    return options.length > 0 ? sampleOf(options[0]!, rnd, name) : null
  }
  const type = Array.isArray(schema["type"]) ? (schema["type"] as Array<string>).find((t) => t !== "null") : schema["type"]
  const guess = known(name, rnd)
  switch (type) {
    case "object": {
      const properties = (schema["properties"] ?? {}) as Record<string, JsonSchema>
      return Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, sampleOf(s, rnd, k)]))
    }
    case "array":
      return Array.isArray(guess) ? guess : [0, 1, 2].map(() => sampleOf((schema["items"] ?? {}) as JsonSchema, rnd, name))
    case "string":
      return typeof guess === "string" ? guess : `${name.replace(/_/g, " ") || "value"}: ${rnd.pick(MOODS)}`
    case "boolean":
      return typeof guess === "boolean" ? guess : false
    case "integer":
      return Math.floor(rnd.next() * 100)
    case "number":
      return Math.round(rnd.next() * 1000) / 10
    default:
      return null
  }
}
