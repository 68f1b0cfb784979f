import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { iniBoolean, parseIni } from "../../src/domain/Ini.js"

const parsed = (text: string) => {
  const ini = parseIni(text, "test.ini")
  if (Either.isLeft(ini)) throw new Error(ini.left.message)
  return ini.right
}
const value = (text: string, section: string, option: string) => Either.getOrThrow(parsed(text).get(section, option))
const failure = (text: string) => {
  const ini = parseIni(text, "test.ini")
  if (Either.isLeft(ini)) return ini.left.message
  for (const section of ini.right.sections) {
    for (const option of text.match(/^\w+(?=\s*[=:])/gm) ?? []) {
      const got = ini.right.get(section, option)
      if (Either.isLeft(got)) return got.left.message
    }
  }
  throw new Error("expected an error")
}

// The expected values are what Python 3.11's configparser.ConfigParser(inline_comment_prefixes=(";", "#")) reads.
const SAMPLE = `[DEFAULT]
base = /Photos

[Dropbox]
image_folder = %(base)s/new ; where photos wait
archive=archive
folder_keep : keep
Folder_Remove = reject#not a comment

[Content]
hashtag_string = #a #b
telegram = True
fetlife = on
instagram = no

[openAI]
system_prompt = You write captions.
   Keep them short; 100%% honest.

  Really.
role_prompt = Caption:
`

describe("INI files as configparser reads them", () => {
  it("sections, case-insensitive options, both delimiters, inline comments after whitespace, DEFAULT, interpolation, multi-line values", () => {
    const ini = parsed(SAMPLE)
    expect(ini.sections).toEqual(["Dropbox", "Content", "openAI"])
    expect(Either.getOrThrow(ini.get("Dropbox", "image_folder"))).toBe("/Photos/new")
    expect(Either.getOrThrow(ini.get("Dropbox", "archive"))).toBe("archive")
    expect(Either.getOrThrow(ini.get("Dropbox", "FOLDER_KEEP"))).toBe("keep")
    expect(Either.getOrThrow(ini.get("Dropbox", "folder_remove"))).toBe("reject#not a comment")
    expect(Either.getOrThrow(ini.get("Content", "hashtag_string"))).toBe("")
    expect(Either.getOrThrow(ini.get("Content", "base"))).toBe("/Photos")
    expect(Either.getOrThrow(ini.get("openAI", "system_prompt"))).toBe(
      "You write captions.\nKeep them short; 100% honest.\n\nReally."
    )
    expect(Either.getOrThrow(ini.get("openAI", "role_prompt"))).toBe("Caption:")
    expect(Either.getOrThrow(ini.get("openAI", "missing"))).toBeUndefined()
    expect(Either.getOrThrow(ini.get("Email", "sender"))).toBeUndefined()
    expect(ini.has("Dropbox")).toBe(true)
    expect(ini.has("dropbox")).toBe(false)
    expect(ini.has("DEFAULT")).toBe(false)
  })

  it("a hashtag string survives only without whitespace before its first #", () => {
    expect(value("[Content]\nhashtag_string=#a #b\n", "Content", "hashtag_string")).toBe("#a")
    expect(value("[Content]\nhashtag_string = '#a #b'\n", "Content", "hashtag_string")).toBe("'#a")
    expect(value("[Content]\nhashtag_string = tags: #a\n", "Content", "hashtag_string")).toBe("tags:")
  })

  it("CRLF line ends, a byte-order mark and full-line comments", () => {
    expect(value("\uFEFF# top\r\n[A]\r\n; note\r\nk = v\r\n", "A", "k")).toBe("v")
  })

  it("rejects what configparser rejects, naming the line", () => {
    expect(failure("k = v\n")).toMatch(/test\.ini, line 1: an option before the first \[section\]/)
    expect(failure("[A]\nnot an option\n")).toMatch(/line 2: expected "name = value"/)
    expect(failure("[A]\nk = 1\n[A]\n")).toMatch(/line 3: section \[A\] appears twice/)
    expect(failure("[A]\nk = 1\nK = 2\n")).toMatch(/line 3: option "k" appears twice/)
    expect(failure("[A]\nk = 100% sure\n")).toMatch(/\[A\] k: "%" must be followed by "%" or "\(name\)s"/)
    expect(failure("[A]\nk = %(nothing)s\n")).toMatch(/refers to "nothing", which is not set/)
    expect(failure("[A]\nk = %(k)s\n")).toMatch(/nested too deeply/)
  })

  it("booleans as configparser's getboolean", () => {
    for (const yes of ["1", "yes", "TRUE", "On"]) expect(iniBoolean(yes)).toBe(true)
    for (const no of ["0", "No", "false", "OFF"]) expect(iniBoolean(no)).toBe(false)
    for (const bad of ["", "y", "2", "enabled"]) expect(iniBoolean(bad)).toBeUndefined()
  })
})
