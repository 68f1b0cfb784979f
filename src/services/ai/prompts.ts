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

export const CAPTION_INSTRUCTIONS = [
  "You write for an Instagram and Telegram photo account.",
  "From the analysis of a photo, write two things and answer only with the JSON object asked for:",
  "caption: one or two short, warm sentences in plain words that fit the photo, followed by",
  "3 to 5 relevant hashtags; no quotation marks, at most 300 characters.",
  "sd_caption: a Stable Diffusion style prompt for the same image: comma-separated descriptors",
  "(subject, setting, lighting, style, palette, camera), at most 60 words, no hashtags."
].join(" ")

export const captionRequest = (analysis: ImageAnalysis): string =>
  `Photo analysis:\n${JSON.stringify(analysis)}`
