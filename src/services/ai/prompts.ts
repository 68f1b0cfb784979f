import type { ImageAnalysis } from "../../domain/Analysis.js"

export const ANALYSIS_INSTRUCTIONS = [
  "You look at one photograph and describe it for a social media editor.",
  "Answer only with the JSON object the schema asks for.",
  "description: one or two plain sentences of what is in the picture.",
  "mood: a word or short phrase. tags: 3 to 10 short lower-case keywords.",
  "nsfw: true only for sexual or graphic content. safety_labels: short labels for anything a",
  "platform might restrict (empty when none).",
  "subject, style, lighting, camera, clothing_or_accessories, pose, composition, background,",
  "color_palette: short phrases ('none' when it does not apply). aesthetic_terms: a few words."
].join(" ")

/** The caption call's default voice; `CAPTION_SYSTEM_PROMPT` replaces it. */
export const CAPTION_VOICE = "You write for an Instagram and Telegram photo account."

/** What the caption call must answer, whatever the voice. */
export const CAPTION_FORMAT = [
  "From the analysis of a photo, write two things and answer only with the JSON object asked for:",
  "caption: one or two short, warm sentences in plain words that fit the photo, followed by",
  "3 to 5 relevant hashtags; no quotation marks, at most 300 characters.",
  "sd_caption: a Stable Diffusion style prompt for the same image: comma-separated descriptors",
  "(subject, setting, lighting, style, palette, camera), at most 60 words, no hashtags."
].join(" ")

/**
 * The caption call's messages: the voice (ours or `CAPTION_SYSTEM_PROMPT`) then the format rules;
 * the request, after `CAPTION_ROLE_PROMPT` when set.
 */
export const captionMessages = (
  analysis: ImageAnalysis,
  custom: {
    readonly systemPrompt?: string | undefined
    readonly rolePrompt?: string | undefined
    readonly examples?: ReadonlyArray<string>
    readonly recent?: ReadonlyArray<string>
  } = {}
) => [
  {
    role: "system" as const,
    content: [
      custom.systemPrompt?.trim() ?? CAPTION_VOICE,
      ...(custom.examples !== undefined && custom.examples.length > 0
        ? [
          `Captions this account has written (match their voice and length; do not copy them):\n${
            custom.examples.map((e) => `- ${e.trim()}`).join("\n")
          }`
        ]
        : []),
      ...(custom.recent !== undefined && custom.recent.length > 0
        ? [
          `The account's latest captions, newest first (write something different: no repeated opening, phrase or set of hashtags):\n${
            custom.recent.map((c) => `- ${c.replace(/\s+/g, " ").trim()}`).join("\n")
          }`
        ]
        : []),
      CAPTION_FORMAT
    ].join("\n\n")
  },
  {
    role: "user" as const,
    content: `${custom.rolePrompt === undefined ? "" : `${custom.rolePrompt.trim()}\n\n`}Photo analysis:\n${
      JSON.stringify(analysis)
    }`
  }
]
