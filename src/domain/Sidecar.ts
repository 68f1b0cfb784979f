import { Option } from "effect"

/**
 * The publisher_v2 sidecar: `photo.txt` beside `photo.jpg`.
 *
 *   <sd_caption>            (line 1)
 *                           (blank)
 *   # ---
 *   # key: value            (one per line; lists and objects as JSON)
 *
 * It is both what users read and our cache of AI results, so files written by the Python tool
 * must parse, and what we write must parse back to the same values.
 */
export type SidecarValue = string | number | boolean | null | ReadonlyArray<unknown> | { readonly [k: string]: unknown }

export interface Sidecar {
  readonly sdCaption: string
  /** Metadata in file order. */
  readonly metadata: ReadonlyArray<readonly [string, SidecarValue]>
}

const SEPARATOR = "# ---"

/** Newlines would break the line format; a value is always one line. */
const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, " ").trim()

/** JSON as Python's `json.dumps` writes it by default (`", "` and `": "` separators). */
export const pythonJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`).join(", ")}}`
  }
  return JSON.stringify(value) ?? "null"
}

const renderValue = (value: SidecarValue): string => typeof value === "string" ? oneLine(value) : pythonJson(value)

export const formatSidecar = (sidecar: Sidecar): string => {
  const lines = [oneLine(sidecar.sdCaption), "", SEPARATOR]
  for (const [key, value] of sidecar.metadata) {
    if (value === null) continue
    lines.push(`# ${key}: ${renderValue(value)}`)
  }
  return lines.join("\n") + "\n"
}

const parseValue = (raw: string): SidecarValue => {
  const text = raw.trim()
  if (text.startsWith("[") || text.startsWith("{")) {
    try {
      return JSON.parse(text) as SidecarValue
    } catch {
      return text
    }
  }
  return text
}

/**
 * Parses a sidecar. Lenient as the Python tool is: a file without the `# ---` block is a bare
 * sd_caption; unknown keys are kept; malformed metadata lines are skipped.
 */
export const parseSidecar = (text: string): Sidecar => {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
  const separatorAt = lines.findIndex((l) => l.trim() === SEPARATOR)
  const head = separatorAt === -1 ? lines : lines.slice(0, separatorAt)
  const sdCaption = head.map((l) => l.trim()).filter((l) => l !== "").join(" ")
  const metadata: Array<readonly [string, SidecarValue]> = []
  if (separatorAt !== -1) {
    for (const line of lines.slice(separatorAt + 1)) {
      const match = /^#\s*([A-Za-z0-9_.-]+)\s*:\s?(.*)$/.exec(line)
      if (match?.[1] !== undefined) metadata.push([match[1], parseValue(match[2] ?? "")])
    }
  }
  return { sdCaption, metadata }
}

/**
 * Whether a `.txt` beside an image is a sidecar (ours or publisher_v2's): a `# ---` block with at
 * least one `# key: value` line. Anything else (notes, an empty file, binary data) is the user's
 * file, never to be overwritten.
 */
export const isSidecarText = (text: string): boolean => parseSidecar(text).metadata.length > 0

export const sidecarGet = (sidecar: Sidecar, key: string): Option.Option<SidecarValue> =>
  Option.fromNullable(sidecar.metadata.find(([k]) => k === key)?.[1])

export const sidecarString = (sidecar: Sidecar, key: string): Option.Option<string> =>
  sidecarGet(sidecar, key).pipe(
    Option.flatMap((v) => (typeof v === "string" ? Option.some(v) : Option.none()))
  )

export const sidecarStrings = (sidecar: Sidecar, key: string): Option.Option<ReadonlyArray<string>> =>
  sidecarGet(sidecar, key).pipe(
    Option.flatMap((v) =>
      Array.isArray(v) && v.every((x) => typeof x === "string")
        ? Option.some(v as ReadonlyArray<string>)
        : Option.none()
    )
  )

export const sidecarRecord = (sidecar: Sidecar): Record<string, SidecarValue> => Object.fromEntries(sidecar.metadata)
