/**
 * docs/configuration.md and .env.example cannot drift from the code: every variable the program
 * reads (found in src/ by the rules below) must have a row in the reference and a line in the
 * example, and neither may keep a variable the code no longer reads.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")
const read = (path: string) => readFileSync(join(root, path), "utf8")

/** Documented though no `Config` in src/ names them; each with its reason. Keep this short. */
const DOCUMENTED_ONLY: ReadonlyMap<string, string> = new Map<string, string>([])

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.isFile() && entry.name.endsWith(".ts") ? [path] : []
  })

/** Comments out: a line-leading block comment (JSDoc) and `//` comments (not `https://` in strings). */
const stripComments = (text: string) =>
  text.replace(/^[ \t]*\/\*[\s\S]*?\*\//gm, "").replace(/(^|[ \t])\/\/.*$/gm, "$1")

/** The string literals at the start of an argument list: `"A", "B", 3` gives A, B. */
const leadingStrings = (args: string): Array<string> => {
  const out: Array<string> = []
  const re = /\s*(["'])([^"'\n]*)\1\s*(,|$)/y
  let m: RegExpExecArray | null
  while ((m = re.exec(args)) !== null) {
    out.push(m[2]!)
    if (m[3] === "") break
  }
  return out
}

/** Effect's constructors that read one variable by name (`Config.literal(...)` takes its name in a second call). */
const CONSTRUCTOR =
  /\bConfig\.(?:string|nonEmptyString|integer|number|boolean|redacted|secret|url|duration|port|date|bigint|logLevel|literal\([^()]*\))\(\s*(["'])([^"']+)\1/g

/**
 * A helper that takes a variable's name (`flag("NAME", true)`, `secret("NAME")`, `firstSet("A", "B")`,
 * publisher_v2's `jsonVar("PUBLISHERS")`): a `const` arrow function whose first parameter is `name`
 * (or rest parameter `names`) and whose body reads it through `Config.`, `process.env`, or another
 * such reader (`env`, publisher_v2's environment lookup, included).
 */
const HELPER =
  /\b(export )?const (\w+) = (?:<[^>]*>)?\(\s*(\.\.\.)?(name|names)\s*:[^)]*\)[^=]*=>([\s\S]*?)(?=\n(?:export |const |\/\*\*|\S)|\n\s*\n)/g

interface Found {
  readonly names: Map<string, Set<string>>
  /** `file:helper` of every helper found. */
  readonly helpers: Map<string, string>
}

interface Source {
  readonly file: string
  readonly text: string
}

const srcFiles = (): Array<Source> => sourceFiles("src").map((file) => ({ file, text: read(file) }))

const extractSettings = (sources: ReadonlyArray<Source>): Found => {
  const names = new Map<string, Set<string>>()
  const add = (name: string, file: string) => {
    if (!NAME.test(name)) return
    names.set(name, (names.get(name) ?? new Set()).add(file))
  }
  const files = sources.map(({ file, text }) => ({ file, text: stripComments(text) }))

  // Helpers, to a fixed point (a helper may read through another: jsonObject -> jsonVar -> env).
  const readers = new Set(["env"])
  const helpers = new Map<string, string>()
  const variadic = new Set<string>()
  /** A helper not exported reads only in the files that define it (two files have their own `secret`). */
  const local = new Map<string, Array<string>>()
  const inScope = (reader: string, file: string) => !local.has(reader) || local.get(reader)!.includes(file)
  for (let changed = true; changed;) {
    changed = false
    for (const { file, text } of files) {
      for (const m of text.matchAll(HELPER)) {
        const [, exported, helper, rest, param, body] = m as unknown as [
          string,
          string | undefined,
          string,
          string | undefined,
          string,
          string
        ]
        if (helpers.has(`${file}:${helper}`)) continue
        const callsReader = [...readers].filter((r) => inScope(r, file)).some((r) =>
          new RegExp(`\\b${r}\\(\\s*${param}\\b|${param}\\.map\\(${r}\\)`).test(body)
        )
        if (/\bConfig\.|process\.env/.test(body) || callsReader) {
          helpers.set(`${file}:${helper}`, file)
          readers.add(helper)
          if (exported === undefined) local.set(helper, [...(local.get(helper) ?? []), file])
          if (rest !== undefined) variadic.add(helper)
          changed = true
        }
      }
    }
  }

  for (const { file, text } of files) {
    for (const m of text.matchAll(CONSTRUCTOR)) add(m[2]!, file)
    for (const m of text.matchAll(/\bprocess\.env(?:\[\s*(["'])([^"']+)\1\s*\]|\.(\w+))/g)) add(m[2] ?? m[3]!, file)
    for (const reader of readers) {
      if (!inScope(reader, file)) continue
      for (const m of text.matchAll(new RegExp(`(?<![\\w.])${reader}\\(([^)]*)`, "g"))) {
        const strings = leadingStrings(m[1]!)
        for (const name of variadic.has(reader) ? strings : strings.slice(0, 1)) add(name, file)
      }
    }
    // Tables of names: the PLATFORMS rows (`enabledVar: "TELEGRAM_ENABLED"`, `keyVar: ...`).
    for (const m of text.matchAll(/\b\w*Var\s*:\s*(["'])([^"']+)\1/g)) add(m[2]!, file)
    // Lists of names read in a loop: `LEGACY_VARIABLES = [...]`, and arrays that extend one (`[...LEGACY_VARIABLES,
    // "CONFIG_PATH"]`).
    for (const m of text.matchAll(/\b\w+_VARIABLES\s*(?::[^=]*)?=\s*\[([^\]]*)\]/g)) {
      for (const s of m[1]!.matchAll(/(["'])([^"']+)\1/g)) add(s[2]!, file)
    }
    for (const m of text.matchAll(/\[\s*\.\.\.\w+_VARIABLES\s*,([^\]]*)\]/g)) {
      for (const s of m[1]!.matchAll(/(["'])([^"']+)\1/g)) add(s[2]!, file)
    }
  }
  return { names, helpers }
}

/** The variables with a row in the reference: a table row whose first cell is one `NAME`. */
const documentedRows = (markdown: string) =>
  [...markdown.matchAll(/^\|\s*`([A-Za-z_][A-Za-z0-9_]*)`\s*\|/gm)].map((m) => m[1]!)

/** The variables of .env.example: `NAME=` or `# NAME=` at a line's start. */
const exampleLines = (text: string) => [...text.matchAll(/^#? ?([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]!)

const duplicates = (list: ReadonlyArray<string>) => [...new Set(list.filter((n, i) => list.indexOf(n) !== i))]

describe("the extraction of setting names", () => {
  it("follows each rule, and nothing else", () => {
    const { names } = extractSettings([
      {
        file: "a.ts",
        text: [
          `import { Config } from "effect"`,
          `export const named = (name: string) => Config.string(name)`,
          `const flag = (name: string, fallback: boolean) => Config.boolean(name).pipe(Config.withDefault(fallback))`,
          `const firstSet = (...names: ReadonlyArray<string>) => Config.all(names.map(setting))`,
          `const setting = (name: string) =>`,
          `  Config.option(Config.string(name))`,
          `const wrapped = (name: string) => flag(name, true)`,
          `const notAReader = (name: string) => name.length`,
          `export const A = Config.string("PLAIN").pipe(Config.withDefault("NOT_A_NAME"))`,
          `export const B = Config.literal("x", "y")("LITERAL")`,
          `export const C = Config.option(`,
          `  Config.redacted("NESTED"))`,
          `export const D = [flag("FLAG", false), firstSet("FIRST", "SECOND"), wrapped("WRAPPED"), notAReader("NO")]`,
          `export const E = process.env["BRACKET"] ?? process.env.DOTTED`,
          `export const F = [{ enabledVar: "ON_VAR", keyVar: "KEY_VAR", name: "NOT_A_VAR" }]`,
          `export const SOME_VARIABLES = ["LISTED", "folder_lower"] as const`,
          `for (const name of [...SOME_VARIABLES, "EXTRA"]) void name`,
          `// Config.string("IN_A_COMMENT")`,
          `/** Config.string("IN_JSDOC") */`,
          `const url = "https://x.example" // Config.string("TRAILING_COMMENT")`
        ].join("\n")
      },
      { file: "b.ts", text: `export const G = [named("EXPORTED_HELPER"), flag("LOCAL_HELPER_ELSEWHERE")]` }
    ])
    expect([...names.keys()].sort()).toEqual([
      "BRACKET",
      "DOTTED",
      "EXPORTED_HELPER",
      "EXTRA",
      "FIRST",
      "FLAG",
      "KEY_VAR",
      "LISTED",
      "LITERAL",
      "NESTED",
      "ON_VAR",
      "PLAIN",
      "SECOND",
      "WRAPPED",
      "folder_lower"
    ])
  })
})

describe("configuration reference", () => {
  const { helpers, names } = extractSettings(srcFiles())
  const readNames = [...names.keys()].sort()
  const known = new Set([...readNames, ...DOCUMENTED_ONLY.keys()])
  const where = (name: string) => `${name} (${[...(names.get(name) ?? [])].join(", ")})`

  it("finds the settings and the helpers that read them", () => {
    // A sanity floor: the extraction must see the well-known ones, through each rule.
    for (
      const name of [
        "IMAGE_FOLDER",
        "STORAGE",
        "WEB_SECURE_COOKIES",
        "AUTH0_CLIENT_ID",
        "TELEGRAM_ENABLED",
        "PUBLISHERS",
        "CONFIG_PATH",
        "ENV_PATH"
      ]
    ) {
      expect(names.has(name), `${name} not extracted`).toBe(true)
    }
    for (const helper of ["flag", "secret", "list", "firstSet", "setting"]) {
      expect([...helpers.keys()].some((k) => k.endsWith(`:${helper}`)), `helper ${helper} not found`).toBe(true)
    }
    expect(readNames.length).toBeGreaterThan(100)
  })

  for (
    const [file, entries] of [
      ["docs/configuration.md", documentedRows(read("docs/configuration.md"))],
      [".env.example", exampleLines(read(".env.example"))]
    ] as const
  ) {
    it(`${file} lists every setting the code reads, once`, () => {
      const listed = new Set(entries)
      const missing = readNames.filter((n) => !listed.has(n)).map(where)
      expect(missing, `missing from ${file}:\n  ${missing.join("\n  ")}`).toEqual([])
      expect(duplicates(entries), `listed twice in ${file}`).toEqual([])
    })

    it(`${file} lists nothing the code no longer reads`, () => {
      const stale = [...new Set(entries)].filter((n) => !known.has(n)).sort()
      expect(
        stale,
        `in ${file} but read nowhere in src/ (remove it, or add it to DOCUMENTED_ONLY with a reason):\n  ${
          stale.join("\n  ")
        }`
      ).toEqual([])
    })
  }
})
