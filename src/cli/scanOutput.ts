import type { ScanResult } from "../programs/scanLibrary.js"

/** A scan for people: counts, then each cluster (first file, then its copies), then posted look-alikes. */
export const describeScan = (
  scan: ScanResult,
  moved: ReadonlyArray<{ readonly from: string; readonly to: string }>
): string => {
  const lines = [
    `Scanned ${scan.images} images in ${scan.folder}: ${scan.cached} hashed before, ${scan.from_thumbnails} from thumbnails, ${scan.from_downloads} from downloads, ${scan.failed.length} failed.`
  ]
  if (scan.archive !== null) {
    const { folder, hashed, images, newly_posted } = scan.archive
    lines.push(
      `Archive ${folder}: ${images} posted images, ${hashed} hashed now, ${newly_posted} newly recorded as posted.`
    )
  }
  const rule = scan.distance > 0 ? `identical or within ${scan.distance} bits` : "identical files only"
  lines.push(
    scan.clusters.length === 0 ? `No duplicates (${rule}).` : `${scan.clusters.length} groups of duplicates (${rule}):`
  )
  for (const cluster of scan.clusters) {
    const [first, ...rest] = cluster
    lines.push(`  ${first!.image}`)
    for (const member of rest) {
      lines.push(`    ${member.image}  ${member.exact ? "identical" : `distance ${member.distance}`}`)
    }
  }
  if (scan.posted_matches.length > 0) {
    lines.push("Unposted images that resemble posted ones (runs skip them):")
    for (const m of scan.posted_matches) lines.push(`  ${m.image} ~ ${m.near_duplicate_of} (distance ${m.distance})`)
  }
  for (const f of scan.failed) lines.push(`  failed: ${f.image}: ${f.error}`)
  if (moved.length > 0) lines.push(`Moved ${moved.length} files:`, ...moved.map((m) => `  ${m.from} -> ${m.to}`))
  return lines.join("\n")
}

/** A progress bar on stderr, redrawn in place; `done === total` ends the line. */
export const progressBar = (done: number, total: number, width = 30): string => {
  const filled = total === 0 ? width : Math.round((done / total) * width)
  return `\rhashing [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`
}
