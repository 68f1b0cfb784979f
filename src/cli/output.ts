import type { RunResult } from "../domain/RunResult.js"

/** A run for people: what was chosen, the captions, each platform's outcome, the timings. */
export const describeRun = (result: RunResult): string => {
  const lines = [result.message]
  if (result.image !== null) {
    lines.push(`  image:       ${result.image}`)
    lines.push(`  caption:     ${result.caption ?? ""}`)
    lines.push(`  sd_caption:  ${result.sd_caption ?? ""}`)
    if (result.from_sidecar) lines.push("  (captions read from the sidecar: no AI call)")
  }
  const previews = Object.entries(result.platform_captions ?? {})
  if (previews.length > 0) lines.push("  would post:")
  for (const [platform, rendered] of previews) {
    const indent = " ".repeat(6)
    if (rendered.subject !== undefined) lines.push(`    ${platform} subject: ${rendered.subject}`)
    lines.push(
      `    ${platform}${rendered.subject !== undefined ? " body" : ""}:`,
      ...rendered.caption.split("\n").map((l) => `${indent}${l}`)
    )
  }
  for (const [platform, outcome] of Object.entries(result.published)) {
    const id = outcome.id !== undefined ? ` (id ${outcome.id})` : ""
    const detail = outcome.ok
      ? `${outcome.status.replace("_", " ")}${id}`
      : `${outcome.status}: ${outcome.error ?? "unknown error"}`
    lines.push(`  ${platform}: ${detail}`)
  }
  if (result.resumed) lines.push("  (finished what an earlier run started)")
  for (const skip of result.skipped) lines.push(`  skipped ${skip.image}: ${skip.reason}`)
  if (result.archived) lines.push("  archived")
  const timings = Object.entries(result.timings).map(([k, v]) => `${k}=${v}`).join(" ")
  if (timings !== "") lines.push(`  timings: ${timings}`)
  return lines.join("\n")
}

/** A run for machines: the result as one JSON object (one line). */
export const runJson = (result: RunResult, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ ...result, ...extra })
