import { Data, Either } from "effect"

/**
 * The INI files publisher_v2 reads with Python's `configparser` (inline comments after `;` or `#`
 * preceded by whitespace, basic `%` interpolation, strict): the same text gives the same values
 * here. Section names are case-sensitive, option names are not; `[DEFAULT]` options are seen
 * from every section.
 */
export class IniError extends Data.TaggedError("IniError")<{ readonly message: string }> {}

export interface Ini {
  /** Section names in file order (without DEFAULT). */
  readonly sections: ReadonlyArray<string>
  readonly has: (section: string) => boolean
  /** The interpolated value of `option` in `section` (or DEFAULT); undefined when absent. */
  readonly get: (section: string, option: string) => Either.Either<string | undefined, IniError>
}

const DEFAULT = "DEFAULT"
const SECTION = /^\[(?<name>.+)\]/
const OPTION = /^(?<key>.*?)\s*(?<delimiter>[=:])\s*(?<value>.*)$/

/** configparser cuts a value at `;` or `#` when whitespace precedes it. */
const stripInlineComment = (value: string) => {
  const match = /\s[;#]/.exec(value)
  return (match === null ? value : value.slice(0, match.index)).trim()
}

export const parseIni = (text: string, fileName = "<ini>"): Either.Either<Ini, IniError> => {
  const raw = new Map<string, Map<string, Array<string>>>([[DEFAULT, new Map()]])
  const order: Array<string> = []
  let section: Map<string, Array<string>> | undefined
  let current: { lines: Array<string>; indent: number } | undefined
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const where = `${fileName}, line ${i + 1}`
    const trimmed = line.trim()
    const indent = line.length - line.trimStart().length
    if (trimmed === "" || /^[;#]/.test(trimmed)) {
      // A blank line inside a multi-line value is kept (trailing ones are dropped at the end).
      if (trimmed === "" && current !== undefined) current.lines.push("")
      continue
    }
    const content = stripInlineComment(trimmed)
    if (current !== undefined && indent > current.indent) {
      current.lines.push(content)
      continue
    }
    current = undefined
    const header = SECTION.exec(content)
    if (header !== null) {
      const name = header.groups!["name"]!
      if (raw.has(name) && name !== DEFAULT) {
        return Either.left(new IniError({ message: `${where}: section [${name}] appears twice` }))
      }
      if (!raw.has(name)) {
        raw.set(name, new Map())
        order.push(name)
      }
      section = raw.get(name)!
      continue
    }
    if (section === undefined) {
      return Either.left(new IniError({ message: `${where}: an option before the first [section]` }))
    }
    const option = OPTION.exec(content)
    const key = option?.groups!["key"]!.trim().toLowerCase()
    if (option === null || key === undefined || key === "") {
      return Either.left(new IniError({ message: `${where}: expected "name = value", got ${JSON.stringify(trimmed)}` }))
    }
    if (section.has(key)) {
      return Either.left(new IniError({ message: `${where}: option "${key}" appears twice in its section` }))
    }
    const value = option.groups!["value"]!.trim()
    current = { lines: [value], indent }
    section.set(key, current.lines)
  }

  const rawValue = (name: string, option: string): string | undefined => {
    const lines = raw.get(name)?.get(option) ?? raw.get(DEFAULT)!.get(option)
    if (lines === undefined) return undefined
    const kept = [...lines]
    while (kept.length > 1 && kept[kept.length - 1] === "") kept.pop()
    return kept.join("\n")
  }

  const interpolate = (name: string, option: string, value: string, depth: number): Either.Either<string, IniError> => {
    if (depth > 10) {
      return Either.left(new IniError({ message: `[${name}] ${option}: interpolation nested too deeply` }))
    }
    let out = ""
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!
      if (c !== "%") {
        out += c
        continue
      }
      const next = value[i + 1]
      if (next === "%") {
        out += "%"
        i++
        continue
      }
      const reference = next === "(" ? /^%\((?<ref>[^)]*)\)s/.exec(value.slice(i)) : null
      if (reference === null) {
        return Either.left(
          new IniError({
            message: `[${name}] ${option}: "%" must be followed by "%" or "(name)s" (write %% for a percent sign)`
          })
        )
      }
      const ref = reference.groups!["ref"]!.toLowerCase()
      const target = rawValue(name, ref)
      if (target === undefined) {
        return Either.left(new IniError({ message: `[${name}] ${option}: it refers to "${ref}", which is not set` }))
      }
      const resolved = interpolate(name, ref, target, depth + 1)
      if (Either.isLeft(resolved)) return resolved
      out += resolved.right
      i += reference[0].length - 1
    }
    return Either.right(out)
  }

  return Either.right({
    sections: order,
    has: (name) => name !== DEFAULT && raw.has(name),
    get: (name, option) => {
      if (name !== DEFAULT && !raw.has(name)) return Either.right(undefined)
      const key = option.toLowerCase()
      const value = rawValue(name, key)
      return value === undefined ? Either.right(undefined) : interpolate(name, key, value, 0)
    }
  })
}

/** configparser's booleans: 1/yes/true/on and 0/no/false/off, any case. */
export const iniBoolean = (value: string): boolean | undefined => {
  const v = value.trim().toLowerCase()
  if (["1", "yes", "true", "on"].includes(v)) return true
  if (["0", "no", "false", "off"].includes(v)) return false
  return undefined
}
