import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { parseIni } from "../../src/domain/Ini.js"

const SCRIPT = fileURLToPath(new URL("../support/ini_reader.py", import.meta.url))
const python = spawnSync("python3", ["--version"]).status === 0

/**
 * INI texts from the pieces that matter: comments, both delimiters, `;`/`#` with and without a space, `%`, continuation
 * lines.
 */
const generate = (count: number, seed: number): Array<string> => {
  // mulberry32: a small deterministic generator.
  let state = seed >>> 0
  const rnd = (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296 * n) | 0
  }
  const pick = <A>(xs: ReadonlyArray<A>) => xs[rnd(xs.length)]!
  const keys = ["image_folder", "archive", "Telegram", "hashtag_string", "system_prompt", "model", "x", "base"]
  const sections = ["Dropbox", "Content", "openAI", "DEFAULT", "Email", "content"]
  const pieces = [
    "abc",
    " ",
    "#tag",
    " #tag",
    ";c",
    " ;c",
    "100%%",
    "%(base)s",
    "%",
    "=",
    ":",
    "  ",
    "/P/x",
    "true",
    "a b"
  ]
  const value = () => Array.from({ length: rnd(4) }, () => pick(pieces)).join("")
  const line = () => {
    switch (rnd(10)) {
      case 0:
        return ""
      case 1:
        return pick(["# comment", "; comment", "  # indented comment"])
      case 2:
        return `[${pick(sections)}]${pick(["", " ; c", " x"])}`
      case 3:
        return `   ${value()}`
      default:
        return `${pick(["", " "])}${pick(keys)}${pick([" = ", "=", ": ", " : "])}${value()}`
    }
  }
  return Array.from(
    { length: count },
    () => [`[${pick(sections)}]`, ...Array.from({ length: 1 + rnd(7) }, line)].join("\n")
  )
}

type Python = { readonly error: string } | { readonly ok: Record<string, Record<string, string>> }

describe("INI reading against Python's configparser (publisher_v2's reader)", () => {
  // .ci/run installs python3; elsewhere the test needs it too.
  it.skipIf(!python)("2,000 generated files: the same errors, sections, options and values", () => {
    const cases = generate(2000, 20261201)
    const theirs = JSON.parse(
      execFileSync("python3", [SCRIPT], {
        input: JSON.stringify(cases),
        encoding: "utf8",
        stdio: ["pipe", "pipe", "pipe"]
      })
    ) as Array<Python>
    let errors = 0
    let values = 0
    cases.forEach((text, i) => {
      const expected = theirs[i]!
      const ours = parseIni(text)
      if ("error" in expected) {
        errors++
        expect(Either.isLeft(ours), text).toBe(true)
        return
      }
      expect(Either.isRight(ours), `${text}\n${Either.isLeft(ours) ? ours.left.message : ""}`).toBe(true)
      const ini = Either.getOrThrow(ours)
      expect(ini.sections, text).toEqual(Object.keys(expected.ok))
      for (const [section, options] of Object.entries(expected.ok)) {
        for (const [option, value] of Object.entries(options)) {
          values++
          const got = ini.get(section, option)
          expect(Either.isLeft(got) ? "!ERR" : got.right, `${text}\n[${section}] ${option}`).toBe(value)
        }
      }
    })
    // The generator reaches every kind of outcome.
    expect(errors).toBeGreaterThan(200)
    expect(values).toBeGreaterThan(1000)
  })
})
