import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseIni } from "../../src/domain/Ini.js"
import { LEGACY_VARIABLES, type LegacyTranslation, translateLegacy } from "../../src/domain/LegacyConfig.js"

/** Only the variables LEGACY_VARIABLES lists may be read (the CLI reads exactly those). */
const envOf = (vars: Record<string, string>) => (name: string) => {
  if (!(LEGACY_VARIABLES as ReadonlyArray<string>).includes(name)) {
    throw new Error(`read ${name}, which LEGACY_VARIABLES does not list`)
  }
  return vars[name]
}
const iniOf = (text: string) => ({ file: "publisher.ini", ini: Either.getOrThrow(parseIni(text, "publisher.ini")) })

const translate = (vars: Record<string, string>, ini?: string): LegacyTranslation => {
  const result = translateLegacy(envOf(vars), ini === undefined ? undefined : iniOf(ini))
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}
const flat = (t: LegacyTranslation) => Object.fromEntries([...t.values].map(([k, v]) => [k, v.value]))
const error = (vars: Record<string, string>, ini?: string) => {
  const result = translateLegacy(envOf(vars), ini === undefined ? undefined : iniOf(ini))
  if (Either.isRight(result)) throw new Error("expected a ConfigurationError")
  expect(result.left._tag).toBe("ConfigurationError")
  return result.left.message
}

describe("publisher_v2's JSON variables", () => {
  it("STORAGE_PATHS: root, and archive/keep/remove inside it unless absolute", () => {
    const t = translate({ STORAGE_PATHS: JSON.stringify({ root: "/P/", archive: "/Other/arch", keep: "fav" }) })
    expect(flat(t)).toEqual({
      IMAGE_FOLDER: "/P",
      ARCHIVE_FOLDER: "/Other/arch",
      FOLDER_KEEP: "/P/fav",
      FOLDER_REMOVE: "/P/reject"
    })
    expect(t.values.get("FOLDER_KEEP")?.from).toBe("STORAGE_PATHS.keep")
    expect(t.sources).toEqual(["STORAGE_PATHS"])
  })

  it("STORAGE_PATHS errors name the field", () => {
    expect(error({ STORAGE_PATHS: "{\"root\": \"/P\"" })).toMatch(/^STORAGE_PATHS is not valid JSON/)
    expect(error({ STORAGE_PATHS: "[]" })).toBe("STORAGE_PATHS must be a JSON object")
    expect(error({ STORAGE_PATHS: "{}" })).toMatch(/STORAGE_PATHS needs "root"/)
    expect(error({ STORAGE_PATHS: "{\"root\": \"Photos\"}" })).toMatch(/STORAGE_PATHS.root must be an absolute path/)
    expect(error({ STORAGE_PATHS: "{\"root\": \"/P\", \"archive\": \"../x\"}" })).toMatch(
      /STORAGE_PATHS.archive must not contain "\.\."/
    )
    expect(error({ STORAGE_PATHS: "{\"root\": \"/P\", \"keep\": 3.5}" })).toBe("STORAGE_PATHS.keep must be a string")
  })

  it("blank or null JSON variables count as unset", () => {
    expect(translate({ STORAGE_PATHS: "  ", PUBLISHERS: "", OPENAI_SETTINGS: "null" }).values.size).toBe(0)
  })

  it("PUBLISHERS switches on the platforms it lists and off the others", () => {
    const t = translate({
      PUBLISHERS: JSON.stringify([{ type: "telegram", channel_id: -100123 }, {
        type: "fetlife",
        recipient: "upload@example.com",
        caption_target: " Both ",
        subject_mode: "private"
      }]),
      EMAIL_SERVER: JSON.stringify({ sender: "me@example.com", smtp_server: "smtp.example.com", smtp_port: 465 }),
      CONFIRMATION_SETTINGS: JSON.stringify({ confirmation_to_sender: false, confirmation_tags_count: 3 })
    })
    expect(flat(t)).toEqual({
      TELEGRAM_ENABLED: "true",
      TELEGRAM_CHANNEL_ID: "-100123",
      EMAIL_ENABLED: "true",
      EMAIL_RECIPIENT: "upload@example.com",
      EMAIL_CAPTION_TARGET: "both",
      EMAIL_SUBJECT_MODE: "private",
      EMAIL_SENDER: "me@example.com",
      SMTP_HOST: "smtp.example.com",
      SMTP_PORT: "465",
      EMAIL_CONFIRMATION_TO_SENDER: "false",
      EMAIL_CONFIRMATION_TAGS_COUNT: "3",
      INSTAGRAM_ENABLED: "false"
    })
    expect(flat(translate({ PUBLISHERS: "[]" }))).toEqual({
      TELEGRAM_ENABLED: "false",
      EMAIL_ENABLED: "false",
      INSTAGRAM_ENABLED: "false"
    })
    // publisher_v2's own flat names lose to these (it ignored them in this mode): they are marked to win.
    expect([...t.values].filter(([, s]) => s.wins).map(([name]) => name).sort()).toEqual([
      "SMTP_PORT",
      "TELEGRAM_CHANNEL_ID"
    ])
  })

  it("fetlife: confirmation to the sender by default, as publisher_v2; off with a note when no sender is set anywhere", () => {
    const withSender = translate({
      PUBLISHERS: "[{\"type\": \"fetlife\", \"recipient\": \"r@x\"}]",
      EMAIL_SERVER: "{\"sender\": \"s@x\"}"
    })
    expect(flat(withSender)).toMatchObject({
      EMAIL_ENABLED: "true",
      EMAIL_SENDER: "s@x",
      EMAIL_CONFIRMATION_TO_SENDER: "true"
    })
    const noSender = translate({ PUBLISHERS: "[{\"type\": \"fetlife\", \"recipient\": \"r@x\"}]" })
    expect(flat(noSender)["EMAIL_ENABLED"]).toBe("false")
    expect(noSender.notes.join("\n")).toMatch(/email is off: PUBLISHERS lists fetlife but no sender is set/)
    // Our own EMAIL_SENDER counts.
    expect(
      flat(
        translate({ PUBLISHERS: "[{\"type\": \"fetlife\", \"recipient\": \"r@x\"}]", EMAIL_SENDER: "s@x" })
      )["EMAIL_ENABLED"]
    ).toBe("true")
  })

  it("confirmations go to publisher_v2's admin emails when it had any (ADMIN_LOGIN_EMAILS, else AUTH0_ADMIN_EMAIL_ALLOWLIST)", () => {
    const fetlife = {
      PUBLISHERS: "[{\"type\": \"fetlife\", \"recipient\": \"r@x\"}]",
      EMAIL_SERVER: "{\"sender\": \"s@x\"}"
    }
    expect(flat(translate({ ...fetlife, ADMIN_LOGIN_EMAILS: " a@x , b@x " }))["EMAIL_CONFIRMATION_TO"]).toBe("a@x,b@x")
    expect(flat(translate({ ...fetlife, AUTH0_ADMIN_EMAIL_ALLOWLIST: "c@x" }))["EMAIL_CONFIRMATION_TO"]).toBe("c@x")
    expect(
      flat(translate({ ...fetlife, CONFIRMATION_SETTINGS: "{}", ADMIN_LOGIN_EMAILS: "a@x" }))["EMAIL_CONFIRMATION_TO"]
    ).toBe("a@x")
    expect(flat(translate(fetlife))["EMAIL_CONFIRMATION_TO"]).toBeUndefined()
    // No email platform: nothing to confirm.
    expect(flat(translate({ ADMIN_LOGIN_EMAILS: "a@x" }))["EMAIL_CONFIRMATION_TO"]).toBeUndefined()
  })

  it("instagram: on, with a note on the Graph API credentials unless they are set", () => {
    const t = translate({ PUBLISHERS: "[{\"type\": \"instagram\", \"username\": \"me\"}]" })
    expect(flat(t)["INSTAGRAM_ENABLED"]).toBe("true")
    expect(t.notes.join("\n")).toMatch(/INSTAGRAM_USER_ID and INSTAGRAM_ACCESS_TOKEN/)
    expect(translate({ PUBLISHERS: "[{\"type\": \"instagram\"}]", INSTAGRAM_ACCESS_TOKEN: "t" }).notes).toEqual([])
  })

  it("PUBLISHERS errors and unknown types", () => {
    expect(error({ PUBLISHERS: "{}" })).toMatch(/PUBLISHERS must be a JSON array/)
    expect(error({ PUBLISHERS: "[\"telegram\"]" })).toMatch(/PUBLISHERS\[0\] must be an object/)
    expect(error({ PUBLISHERS: "[{\"type\": \"telegram\"}]" })).toMatch(
      /PUBLISHERS\[0\] \(telegram\) needs "channel_id"/
    )
    expect(error({ PUBLISHERS: "[{\"type\": \"fetlife\"}]" })).toMatch(/needs "recipient"/)
    expect(
      error({
        PUBLISHERS: "[{\"type\": \"telegram\", \"channel_id\": 1}, {\"type\": \"telegram\", \"channel_id\": 2}]"
      })
    ).toMatch(/lists the type "telegram" twice/)
    expect(error({ PUBLISHERS: "[{\"type\": \"fetlife\", \"recipient\": \"r\", \"caption_target\": \"title\"}]" }))
      .toMatch(/caption_target must be one of subject, body, both/)
    expect(
      error({
        PUBLISHERS: "[{\"type\": \"fetlife\", \"recipient\": \"r\"}]",
        EMAIL_SERVER: "{\"sender\": \"s\", \"smtp_port\": \"587\"}"
      })
    ).toMatch(/EMAIL_SERVER.smtp_port must be a whole number/)
    expect(error({ PUBLISHERS: "[{\"type\": \"fetlife\", \"recipient\": \"r\"}]", EMAIL_SERVER: "{}" })).toMatch(
      /EMAIL_SERVER needs "sender"/
    )
    expect(translate({ PUBLISHERS: "[{\"type\": \"mastodon\"}]" }).notes).toEqual([
      expect.stringMatching(/unknown publisher type "mastodon", skipped/)
    ])
  })

  it("OPENAI_SETTINGS: the two models and the caption prompts; what we do not use is noted", () => {
    const t = translate({
      OPENAI_SETTINGS: JSON.stringify({
        vision_model: "gpt-4.1",
        caption_model: "gpt-4.1-mini",
        system_prompt: "Dry wit.",
        role_prompt: "Caption:",
        sd_caption_model: null,
        sd_caption_enabled: true,
        vision_max_dimension: 768,
        vision_detail: "High",
        vision_fallback_enabled: false,
        vision_fallback_max_dimension: 1536,
        vision_fallback_detail: "auto"
      })
    })
    expect(flat(t)).toEqual({
      OPENAI_VISION_MODEL: "gpt-4.1",
      OPENAI_CAPTION_MODEL: "gpt-4.1-mini",
      CAPTION_SYSTEM_PROMPT: "Dry wit.",
      CAPTION_ROLE_PROMPT: "Caption:",
      VISION_MAX_DIMENSION: "768",
      VISION_DETAIL: "high",
      VISION_FALLBACK: "false",
      VISION_FALLBACK_MAX_DIMENSION: "1536",
      VISION_FALLBACK_DETAIL: "auto"
    })
    expect(t.notes).toEqual(["OPENAI_SETTINGS.sd_caption_enabled is not used by Publisher"])
    expect(error({ OPENAI_SETTINGS: "{\"vision_detail\": \"ultra\"}" })).toMatch(
      /OPENAI_SETTINGS.vision_detail must be one of low, high, auto/
    )
    expect(error({ OPENAI_SETTINGS: "{\"vision_max_dimension\": \"1024\"}" })).toMatch(
      /OPENAI_SETTINGS.vision_max_dimension must be a whole number/
    )
  })

  it("CONTENT_SETTINGS: hashtags, archive, debug (publishes nothing), voice_profile noted", () => {
    const t = translate({
      CONTENT_SETTINGS: JSON.stringify({
        hashtag_string: " #film #bw ",
        archive: false,
        debug: true,
        voice_profile: ["a"]
      })
    })
    expect(flat(t)).toEqual({ CAPTION_HASHTAGS: "#film #bw", ARCHIVE_POSTED: "false", FEATURE_PUBLISH: "false" })
    expect(t.notes).toEqual([
      expect.stringMatching(/CONTENT_SETTINGS.debug is true: nothing is published/),
      "CONTENT_SETTINGS.voice_profile is not used: FEATURE_VOICE_MATCHING is off (as in publisher_v2)"
    ])
    // With voice matching on, the examples reach the caption prompt; from the INI file too (a JSON list there).
    expect(
      flat(
        translate({
          CONTENT_SETTINGS: JSON.stringify({ voice_profile: ["Quiet light.", "Salt air."] }),
          FEATURE_VOICE_MATCHING: "true"
        })
      )
    ).toEqual({
      CAPTION_EXAMPLES: JSON.stringify(["Quiet light.", "Salt air."])
    })
    expect(
      flat(
        translate({ FEATURE_VOICE_MATCHING: "1" }, "[Content]\nvoice_profile = [\"Quiet light.\"]\n")
      )["CAPTION_EXAMPLES"]
    ).toBe(JSON.stringify(["Quiet light."]))
    expect(error({ FEATURE_VOICE_MATCHING: "true" }, "[Content]\nvoice_profile = Quiet light.\n")).toMatch(
      /\[Content\] voice_profile must be a JSON list of strings/
    )
    expect(flat(translate({ CONTENT_SETTINGS: "{\"archive\": \"yes\", \"debug\": false}" }))).toEqual({
      ARCHIVE_POSTED: "true"
    })
    expect(error({ CONTENT_SETTINGS: "{\"archive\": \"sometimes\"}" })).toMatch(
      /CONTENT_SETTINGS.archive must be true or false/
    )
  })

  it("CAPTIONFILE_SETTINGS / [CaptionFile]: artist_alias for the sidecar; extended metadata is always written, so no note", () => {
    const t = translate({
      CAPTIONFILE_SETTINGS: JSON.stringify({ artist_alias: " Ana Light ", extended_metadata_enabled: true, other: 1 })
    })
    expect(flat(t)).toEqual({ SIDECAR_ARTIST_ALIAS: "Ana Light" })
    expect(t.notes).toEqual(["CAPTIONFILE_SETTINGS.other is not used by Publisher"])
    const ini = translate({}, "[CaptionFile]\nartist_alias = Ana\nextended_metadata_enabled = false\n")
    expect(flat(ini)).toEqual({ SIDECAR_ARTIST_ALIAS: "Ana" })
    expect(ini.values.get("SIDECAR_ARTIST_ALIAS")?.from).toBe("publisher.ini [CaptionFile] artist_alias")
  })

  it("publisher_v2's names of our variables: SMTP_SERVER, FEATURE_AUTO_VIEW, WEB_IMAGE_CACHE_TTL_SECONDS", () => {
    expect(
      flat(
        translate({ SMTP_SERVER: "mail.example.com", FEATURE_AUTO_VIEW: "true", WEB_IMAGE_CACHE_TTL_SECONDS: "12.5" })
      )
    ).toEqual({
      SMTP_HOST: "mail.example.com",
      AUTO_VIEW: "true",
      WEB_IMAGE_LIST_TTL_SECONDS: "13"
    })
    expect(translate({ WEB_IMAGE_CACHE_TTL_SECONDS: "-1" }).notes).toEqual([
      expect.stringMatching(/is not a positive number and is ignored/)
    ])
  })
})

const INI = `[Dropbox]
image_folder = /Photos/new
archive = done
folder_keep = fav
folder_reject = bin

[Content]
telegram = true
fetlife = yes
instagram = false
hashtag_string=#film
archive = off

[Email]
sender = me@example.com
recipient = upload@example.com
smtp_server = smtp.example.com
smtp_port = 465
caption_target = body
confirmation_tags_count = 4

[openAI]
model = gpt-4o
caption_model = gpt-4o-mini
system_prompt = Be brief.
`

describe("publisher_v2's INI file", () => {
  it("translates each section it reads, naming file, section and key", () => {
    const t = translate({}, INI)
    expect(flat(t)).toEqual({
      IMAGE_FOLDER: "/Photos/new",
      ARCHIVE_FOLDER: "done",
      FOLDER_KEEP: "fav",
      FOLDER_REMOVE: "bin",
      TELEGRAM_ENABLED: "true",
      EMAIL_ENABLED: "true",
      EMAIL_SENDER: "me@example.com",
      EMAIL_RECIPIENT: "upload@example.com",
      EMAIL_CAPTION_TARGET: "body",
      SMTP_HOST: "smtp.example.com",
      SMTP_PORT: "465",
      EMAIL_CONFIRMATION_TO_SENDER: "true",
      EMAIL_CONFIRMATION_TAGS_COUNT: "4",
      INSTAGRAM_ENABLED: "false",
      OPENAI_VISION_MODEL: "gpt-4o",
      OPENAI_CAPTION_MODEL: "gpt-4o-mini",
      CAPTION_SYSTEM_PROMPT: "Be brief.",
      CAPTION_HASHTAGS: "#film",
      ARCHIVE_POSTED: "false"
    })
    expect(t.values.get("FOLDER_REMOVE")?.from).toBe("publisher.ini [Dropbox] folder_reject")
    expect(t.sources).toEqual([
      "publisher.ini [Dropbox]",
      "publisher.ini [Content]",
      "publisher.ini [Email]",
      "publisher.ini [openAI]"
    ])
    expect(t.notes).toEqual([])
  })

  it("a JSON variable replaces its whole section; the lower-case folder variables beat the INI keys", () => {
    const t = translate({ STORAGE_PATHS: "{\"root\": \"/Elsewhere\"}", PUBLISHERS: "[]", folder_keep: "best" }, INI)
    expect(flat(t)).toMatchObject({
      IMAGE_FOLDER: "/Elsewhere",
      ARCHIVE_FOLDER: "/Elsewhere/archive",
      TELEGRAM_ENABLED: "false",
      EMAIL_ENABLED: "false"
    })
    expect(flat(t)["EMAIL_SENDER"]).toBeUndefined()
    expect(flat(translate({ folder_keep: "best" }, INI))["FOLDER_KEEP"]).toBeUndefined()
  })

  it("a platform switched on without its section stays off, with a note (publisher_v2 turned it off silently)", () => {
    const t = translate({}, "[Content]\nfetlife = true\ninstagram = true\n")
    expect(flat(t)).toMatchObject({ EMAIL_ENABLED: "false", INSTAGRAM_ENABLED: "false", TELEGRAM_ENABLED: "false" })
    expect(t.notes).toEqual([
      expect.stringMatching(
        /email is off: publisher.ini \[Content\] fetlife is true but the file has no \[Email\] section/
      ),
      expect.stringMatching(/instagram is off: .*no \[Instagram\] section/)
    ])
  })

  it("bad values are errors naming file, section and key", () => {
    expect(error({}, "[Content]\ntelegram = maybe\n")).toMatch(
      /publisher.ini \[Content\] telegram: "maybe" is not a boolean/
    )
    expect(error({}, "[Dropbox]\nimage_folder = Photos\n")).toMatch(
      /\[Dropbox\] image_folder must be an absolute Dropbox path/
    )
    expect(error({}, "[Content]\nfetlife = true\n[Email]\nsmtp_port = 5x\n")).toMatch(
      /\[Email\] smtp_port: "5x" is not a whole number/
    )
    expect(error({}, "[openAI]\nsystem_prompt = 100% sure\n")).toMatch(
      /publisher.ini: \[openAI\] system_prompt: "%" must be followed/
    )
  })
})
