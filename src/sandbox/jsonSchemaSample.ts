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
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
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

const SUBJECTS = [
  "a lighthouse on a rocky coast",
  "a quiet mountain lake",
  "an old street at dusk",
  "a field of sunflowers",
  "a harbour with small boats",
  "a forest path in autumn",
  "a city skyline at night",
  "a desert road under a wide sky",
  "a woman in a linen dress on a pier",
  "a cyclist crossing an empty square"
]
const MOODS = ["calm", "nostalgic", "dramatic", "joyful", "serene", "moody", "dreamy", "wistful"]
const TAGS = [
  "landscape",
  "travel",
  "sunset",
  "nature",
  "city",
  "coast",
  "autumn",
  "light",
  "blue hour",
  "film",
  "outdoors",
  "wanderlust",
  "golden hour",
  "streetphotography"
]
const STYLES = [
  "landscape photography",
  "street photography",
  "fine art",
  "documentary",
  "minimalist",
  "editorial portrait"
]
const LIGHTING = ["golden hour", "soft overcast light", "blue hour", "hard midday sun", "backlit haze", "window light"]
const PALETTES = [
  "teal and orange",
  "muted pastels",
  "deep blues and warm highlights",
  "earthy greens and browns",
  "monochrome greys"
]
const BACKGROUNDS = [
  "open sky",
  "rolling hills",
  "weathered brick walls",
  "a blurred city street",
  "calm water",
  "a pine forest"
]
const POSES = [
  "walking away from the camera",
  "standing still, looking into the distance",
  "seated, relaxed",
  "mid-stride, candid",
  "no people in frame"
]
const CLOTHING = [
  "a linen shirt and a straw hat",
  "a wool coat and scarf",
  "a denim jacket",
  "a summer dress",
  "none visible"
]
const CAPTIONS = [
  "Some places ask you to slow down.",
  "Light like this never stays long.",
  "Found a little quiet today.",
  "Where the road bends, the story starts.",
  "Colours you can almost hear.",
  "Saving this one for a grey Monday."
]

const hashtags = (rnd: Seeded) => rnd.some(TAGS, rnd.int(2, 4)).map((t) => `#${t.replace(/\s+/g, "")}`)

/** Photo-like values for properties we know by name; undefined for the others. */
const known = (name: string, rnd: Seeded): unknown => {
  const subject = rnd.pick(SUBJECTS)
  switch (name) {
    case "description":
    case "alt_text":
      return `${subject[0]!.toUpperCase()}${subject.slice(1)}, photographed in ${rnd.pick(LIGHTING)}.`
    case "title":
    case "headline":
      return rnd.pick(CAPTIONS).replace(/\.$/, "")
    case "mood":
      return rnd.pick(MOODS)
    case "tags":
    case "keywords":
      return rnd.some(TAGS, rnd.int(3, 6))
    case "hashtags":
      return hashtags(rnd)
    case "aesthetic_terms":
      return rnd.some(["cinematic", "airy", "grainy", "crisp", "dreamy", "timeless"], 2)
    case "nsfw":
      return false
    case "safety_labels":
      return []
    case "subject":
      return subject
    case "style":
      return rnd.pick(STYLES)
    case "lighting":
      return rnd.pick(LIGHTING)
    case "color_palette":
    case "colors":
      return rnd.pick(PALETTES)
    case "camera":
      return rnd.pick(["35mm", "wide angle", "telephoto", "50mm prime"])
    case "composition":
      return rnd.pick(["rule of thirds", "centered", "leading lines", "symmetry"])
    case "background":
      return rnd.pick(BACKGROUNDS)
    case "pose":
      return rnd.pick(POSES)
    case "clothing_or_accessories":
      return rnd.pick(CLOTHING)
    case "caption":
      return `${rnd.pick(CAPTIONS)} ${hashtags(rnd).join(" ")}`
    case "sd_caption":
      return `${subject}, ${rnd.pick(LIGHTING)}, ${rnd.pick(STYLES)}, ${
        rnd.pick(PALETTES)
      }, highly detailed, 35mm photo`
    default:
      return undefined
  }
}

type JsonSchema = { readonly [k: string]: unknown }

const num = (schema: JsonSchema, key: string): number | undefined => {
  const value = schema[key]
  return typeof value === "number" ? value : undefined
}

/** Follows `#/$defs/X` (or `#/definitions/X`) references against the root schema. */
const resolve = (schema: JsonSchema, root: JsonSchema): JsonSchema => {
  const ref = schema["$ref"]
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema
  let target: unknown = root
  for (const part of ref.slice(2).split("/")) {
    target = (target as JsonSchema | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")]
  }
  return typeof target === "object" && target !== null ? resolve(target as JsonSchema, root) : {}
}

const fitString = (value: string, schema: JsonSchema): string => {
  const max = num(schema, "maxLength")
  const min = num(schema, "minLength") ?? 0
  const cut = max !== undefined ? value.slice(0, max) : value
  return cut.length >= min ? cut : cut.padEnd(min, ".")
}

/** A number in the schema's range (exclusive bounds respected); `fraction` is in (0, 1). */
const fitNumber = (fraction: number, schema: JsonSchema, integer: boolean): number => {
  const exMin = num(schema, "exclusiveMinimum")
  const exMax = num(schema, "exclusiveMaximum")
  let min = num(schema, "minimum") ?? exMin ?? 0
  let max = num(schema, "maximum") ?? exMax ?? min + 100
  if (!integer) return Math.min(max, Math.max(min, min + fraction * (max - min)))
  min = exMin !== undefined && num(schema, "minimum") === undefined ? Math.floor(exMin) + 1 : Math.ceil(min)
  max = exMax !== undefined && num(schema, "maximum") === undefined ? Math.ceil(exMax) - 1 : Math.floor(max)
  return min + Math.floor(fraction * (max - min + 1))
}

/**
 * A value valid against `schema`: the subset strict structured outputs use (object with
 * properties/required/additionalProperties, string, number, integer, boolean, array with items,
 * enum, const, anyOf, nullable types, $ref into $defs, length and range bounds).
 */
export const sampleOf = (schema: JsonSchema, rnd: Seeded, name = "", root: JsonSchema = schema): unknown => {
  const s = resolve(schema, root)
  if ("const" in s) return s["const"]
  if (Array.isArray(s["enum"])) return rnd.pick(s["enum"] as Array<unknown>)
  const union = (s["anyOf"] ?? s["oneOf"]) as Array<JsonSchema> | undefined
  if (Array.isArray(union)) {
    const options = union.map((o) => resolve(o, root)).filter((o) => o["type"] !== "null")
    return options.length > 0 ? sampleOf(options[0]!, rnd, name, root) : null
  }
  const type = Array.isArray(s["type"]) ? (s["type"] as Array<string>).find((t) => t !== "null") : s["type"]
  const guess = known(name, rnd)
  switch (type) {
    case "object": {
      const properties = (s["properties"] ?? {}) as Record<string, JsonSchema>
      return Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, sampleOf(p, rnd, k, root)]))
    }
    case "array": {
      const min = num(s, "minItems") ?? 0
      const max = num(s, "maxItems") ?? Number.POSITIVE_INFINITY
      const items = (s["items"] ?? {}) as JsonSchema
      const base = Array.isArray(guess) && resolve(items, root)["type"] === "string"
        ? guess
        : [0, 1, 2].map(() => sampleOf(items, rnd, name, root))
      const out = base.slice(0, max)
      while (out.length < min) out.push(sampleOf(items, rnd, name, root))
      return out
    }
    case "string":
      return fitString(
        typeof guess === "string" ? guess : `${name.replace(/_/g, " ") || "value"}: ${rnd.pick(MOODS)}`,
        s
      )
    case "boolean":
      return typeof guess === "boolean" ? guess : false
    case "integer":
      return fitNumber(rnd.next(), s, true)
    case "number":
      return fitNumber(rnd.next(), s, false)
    case "null":
      return null
    default:
      return null
  }
}
