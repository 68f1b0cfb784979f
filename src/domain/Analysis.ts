import { Schema } from "effect"

/** Structured vision analysis of one image (decoded from the model's strict JSON reply). */
export class ImageAnalysis extends Schema.Class<ImageAnalysis>("ImageAnalysis")({
  description: Schema.String,
  mood: Schema.String,
  tags: Schema.Array(Schema.String),
  nsfw: Schema.Boolean,
  safety_labels: Schema.Array(Schema.String),
  subject: Schema.String,
  style: Schema.String,
  lighting: Schema.String,
  camera: Schema.String,
  clothing_or_accessories: Schema.String,
  aesthetic_terms: Schema.Array(Schema.String),
  pose: Schema.String,
  composition: Schema.String,
  background: Schema.String,
  color_palette: Schema.String
}) {}

/** The two captions produced by one model call. */
export class CaptionPair extends Schema.Class<CaptionPair>("CaptionPair")({
  caption: Schema.String.pipe(Schema.minLength(1)),
  sd_caption: Schema.String.pipe(Schema.minLength(1))
}) {}

type JsonSchema = Record<string, unknown>

const str = { type: "string" } as const
const strArray = { type: "array", items: { type: "string" } } as const

/**
 * The JSON schemas sent as `response_format: json_schema` (strict mode: every property
 * required, no additional properties). Kept beside the Schema classes they must agree with;
 * a unit test checks that both describe the same keys.
 */
export const analysisJsonSchema: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: Object.keys(ImageAnalysis.fields),
  properties: {
    description: str,
    mood: str,
    tags: strArray,
    nsfw: { type: "boolean" },
    safety_labels: strArray,
    subject: str,
    style: str,
    lighting: str,
    camera: str,
    clothing_or_accessories: str,
    aesthetic_terms: strArray,
    pose: str,
    composition: str,
    background: str,
    color_palette: str
  }
}

export const captionPairJsonSchema: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["caption", "sd_caption"],
  properties: { caption: str, sd_caption: str }
}
