import { Either } from "effect"
import { ConfigurationError } from "./Errors.js"
import { type Ini, iniBoolean } from "./Ini.js"

/**
 * publisher_v2's configuration, read as it reads it and turned into our variables: its JSON
 * variables (`STORAGE_PATHS`, `PUBLISHERS`, `EMAIL_SERVER`, `OPENAI_SETTINGS`, `CONTENT_SETTINGS`,
 * `CONFIRMATION_SETTINGS`, `CAPTIONFILE_SETTINGS`) and, for each group they leave unset, its INI
 * file (`[Dropbox]`, `[Content]`, `[Email]`, `[Instagram]`, `[openAI]`, `[CaptionFile]`). A group
 * comes from its JSON variable when set, else from the INI section (never field by field), as in
 * publisher_v2. The result sits below our own variables: a variable set by name always wins.
 */
export interface LegacySetting {
  readonly value: string
  /** Where it came from: `STORAGE_PATHS.root`, `publisher.ini [Dropbox] image_folder`, ... */
  readonly from: string
  /**
   * It wins over the variable of the same name in the environment, because publisher_v2 let it:
   * `TELEGRAM_CHANNEL_ID` and `SMTP_PORT` are publisher_v2's own flat names, which it ignored
   * once `PUBLISHERS` / `EMAIL_SERVER` / `[Email] smtp_port` gave the value.
   */
  readonly wins: boolean
}

export interface LegacyTranslation {
  readonly values: ReadonlyMap<string, LegacySetting>
  /** Settings we do not use and behaviours worth knowing, one sentence each. */
  readonly notes: ReadonlyArray<string>
  /** The JSON variables and INI sections read. */
  readonly sources: ReadonlyArray<string>
}

/** publisher_v2's OpenAI settings we use, and our variables for them. */
const OPENAI_KEYS = [
  ["vision_model", "OPENAI_VISION_MODEL"],
  ["caption_model", "OPENAI_CAPTION_MODEL"],
  ["system_prompt", "CAPTION_SYSTEM_PROMPT"],
  ["role_prompt", "CAPTION_ROLE_PROMPT"]
] as const

/** Every variable {@link translateLegacy} reads from the environment. */
export const LEGACY_VARIABLES = [
  "STORAGE_PATHS",
  "PUBLISHERS",
  "EMAIL_SERVER",
  "OPENAI_SETTINGS",
  "CONTENT_SETTINGS",
  "CONFIRMATION_SETTINGS",
  "CAPTIONFILE_SETTINGS",
  "folder_keep",
  "folder_remove",
  "EMAIL_SENDER",
  "INSTAGRAM_ACCESS_TOKEN",
  "SMTP_SERVER",
  "FEATURE_AUTO_VIEW",
  "FEATURE_VOICE_MATCHING",
  "ADMIN_LOGIN_EMAILS",
  "AUTH0_ADMIN_EMAIL_ALLOWLIST",
  "WEB_IMAGE_CACHE_TTL_SECONDS"
] as const

export type LegacyVariable = typeof LEGACY_VARIABLES[number]

export interface LegacyIni {
  readonly file: string
  readonly ini: Ini
}

type Json = Record<string, unknown>

class Fail {
  constructor(readonly message: string) {}
}
const fail = (message: string): never => {
  throw new Fail(message)
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Translates; `env` answers the process environment (with `.env`), `ini` is the file given with
 * `--config` or `CONFIG_PATH`.
 */
export const translateLegacy = (
  env: (name: LegacyVariable) => string | undefined,
  iniFile: LegacyIni | undefined
): Either.Either<LegacyTranslation, ConfigurationError> => {
  const values = new Map<string, LegacySetting>()
  const notes: Array<string> = []
  const sources: Array<string> = []
  const set = (name: string, value: string, from: string, wins = false) => values.set(name, { value, from, wins })
  const used = (source: string) => {
    if (!sources.includes(source)) sources.push(source)
  }

  /** A JSON variable; unset, blank or `null` is unset, as publisher_v2 reads them. */
  const jsonVar = (name: LegacyVariable): unknown => {
    const text = env(name)
    if (text === undefined || text.trim() === "") return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      return fail(`${name} is not valid JSON (${(error as Error).message})`)
    }
    if (parsed === null) return undefined
    used(name)
    return parsed
  }
  const jsonObject = (name: LegacyVariable): Json | undefined => {
    const parsed = jsonVar(name)
    if (parsed !== undefined && !isObject(parsed)) fail(`${name} must be a JSON object`)
    return parsed as Json | undefined
  }

  const ini = iniFile?.ini
  const iniLabel = (section: string, option: string) => `${iniFile?.file ?? "config"} [${section}] ${option}`
  const iniValue = (section: string, option: string): string | undefined => {
    if (ini === undefined) return undefined
    const got = ini.get(section, option)
    if (Either.isLeft(got)) return fail(`${iniFile!.file}: ${got.left.message}`)
    if (got.right !== undefined) used(`${iniFile!.file} [${section}]`)
    return got.right
  }
  const iniBool = (section: string, option: string, fallback: boolean): boolean => {
    const text = iniValue(section, option)
    if (text === undefined) return fallback
    const parsed = iniBoolean(text)
    return parsed ??
      fail(`${iniLabel(section, option)}: ${JSON.stringify(text)} is not a boolean (true/false, yes/no, on/off, 1/0)`)
  }
  const iniInt = (section: string, option: string): number | undefined => {
    const text = iniValue(section, option)
    if (text === undefined) return undefined
    if (!/^\s*[+-]?\d+\s*$/.test(text)) {
      fail(`${iniLabel(section, option)}: ${JSON.stringify(text)} is not a whole number`)
    }
    return Number(text)
  }

  /** A string field; `numbers`: a number is taken as its decimal text (a Telegram channel id). */
  const field = (json: Json, name: string, path: string, numbers = false): string | undefined => {
    const value = json[name]
    if (value === undefined || value === null) return undefined
    if (typeof value === "string") return value
    if (numbers && typeof value === "number" && Number.isInteger(value)) return String(value)
    return fail(`${path} must be a string`)
  }
  const boolField = (json: Json, name: string, path: string): boolean | undefined => {
    const value = json[name]
    if (value === undefined || value === null) return undefined
    if (typeof value === "boolean") return value
    const parsed = typeof value === "string" || typeof value === "number" ? iniBoolean(String(value)) : undefined
    return parsed ?? fail(`${path} must be true or false`)
  }
  const intField = (json: Json, name: string, path: string): number | undefined => {
    const value = json[name]
    if (value === undefined || value === null) return undefined
    return typeof value === "number" && Number.isInteger(value)
      ? value
      : fail(`${path} must be a whole number, got ${JSON.stringify(value)}`)
  }
  const oneOf = <A extends string>(
    value: string | undefined,
    allowed: ReadonlyArray<A>,
    path: string
  ): A | undefined => {
    if (value === undefined) return undefined
    const v = value.trim().toLowerCase()
    return (allowed as ReadonlyArray<string>).includes(v)
      ? v as A
      : fail(`${path} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`)
  }
  const ignored = (what: string) => notes.push(`${what} is not used by Publisher`)

  try {
    // Folders.
    const storage = jsonObject("STORAGE_PATHS")
    if (storage !== undefined) {
      const root = field(storage, "root", "STORAGE_PATHS.root") ??
        fail("STORAGE_PATHS needs \"root\" (the Dropbox folder of the photos)")
      if (!root.startsWith("/")) {
        fail(`STORAGE_PATHS.root must be an absolute path (start with "/"), got ${JSON.stringify(root)}`)
      }
      const base = root.length > 1 ? root.replace(/\/+$/, "") : root
      const resolve = (name: string, fallback: string) => {
        const given = field(storage, name, `STORAGE_PATHS.${name}`) ?? fallback
        const path = given.startsWith("/") ? given : `${base === "/" ? "" : base}/${given}`
        if (path.split("/").includes("..")) fail(`STORAGE_PATHS.${name} must not contain ".."`)
        return path
      }
      if (base.split("/").includes("..")) fail("STORAGE_PATHS.root must not contain \"..\"")
      set("IMAGE_FOLDER", base, "STORAGE_PATHS.root")
      set("ARCHIVE_FOLDER", resolve("archive", "archive"), "STORAGE_PATHS.archive")
      set("FOLDER_KEEP", resolve("keep", "keep"), "STORAGE_PATHS.keep")
      set("FOLDER_REMOVE", resolve("remove", "reject"), "STORAGE_PATHS.remove")
    } else if (ini?.has("Dropbox")) {
      const folder = iniValue("Dropbox", "image_folder")
      if (folder !== undefined) {
        if (!folder.startsWith("/")) {
          fail(
            `${iniLabel("Dropbox", "image_folder")} must be an absolute Dropbox path (start with "/"), got ${
              JSON.stringify(folder)
            }`
          )
        }
        set("IMAGE_FOLDER", folder, iniLabel("Dropbox", "image_folder"))
      }
      const archive = iniValue("Dropbox", "archive")
      if (archive !== undefined) set("ARCHIVE_FOLDER", archive, iniLabel("Dropbox", "archive"))
      // publisher_v2: the lower-case environment variables beat the INI keys.
      const keep = iniValue("Dropbox", "folder_keep")
      if (keep !== undefined && (env("folder_keep") ?? "").trim() === "") {
        set("FOLDER_KEEP", keep, iniLabel("Dropbox", "folder_keep"))
      }
      const removeKey = iniValue("Dropbox", "folder_remove") !== undefined ? "folder_remove" : "folder_reject"
      const remove = iniValue("Dropbox", removeKey)
      if (remove !== undefined && (env("folder_remove") ?? "").trim() === "") {
        set("FOLDER_REMOVE", remove, iniLabel("Dropbox", removeKey))
      }
    }

    // Platforms.
    /** publisher_v2 sent confirmations to its admin emails when it had any, else to the sender. */
    const adminRecipients = () => {
      for (const name of ["ADMIN_LOGIN_EMAILS", "AUTH0_ADMIN_EMAIL_ALLOWLIST"] as const) {
        const list = (env(name) ?? "").split(",").map((a) => a.trim()).filter((a) => a !== "")
        if (list.length > 0) return void set("EMAIL_CONFIRMATION_TO", list.join(","), name)
      }
    }
    const confirmation = (label: string) => {
      const settings = jsonObject("CONFIRMATION_SETTINGS")
      if (settings !== undefined) {
        adminRecipients()
        const toSender =
          boolField(settings, "confirmation_to_sender", "CONFIRMATION_SETTINGS.confirmation_to_sender") ?? true
        set("EMAIL_CONFIRMATION_TO_SENDER", String(toSender), "CONFIRMATION_SETTINGS.confirmation_to_sender")
        const count = intField(settings, "confirmation_tags_count", "CONFIRMATION_SETTINGS.confirmation_tags_count")
        if (count !== undefined) {
          set("EMAIL_CONFIRMATION_TAGS_COUNT", String(count), "CONFIRMATION_SETTINGS.confirmation_tags_count")
        }
        if (field(settings, "confirmation_tags_nature", "CONFIRMATION_SETTINGS.confirmation_tags_nature")) {
          ignored("CONFIRMATION_SETTINGS.confirmation_tags_nature")
        }
        return
      }
      // publisher_v2 mails the sender a confirmation unless told otherwise.
      adminRecipients()
      set(
        "EMAIL_CONFIRMATION_TO_SENDER",
        String(iniBool("Email", "confirmation_to_sender", true)),
        ini?.has("Email") ? iniLabel("Email", "confirmation_to_sender") : `${label} (publisher_v2's default)`
      )
      const count = iniInt("Email", "confirmation_tags_count")
      if (count !== undefined) {
        set("EMAIL_CONFIRMATION_TAGS_COUNT", String(count), iniLabel("Email", "confirmation_tags_count"))
      }
      if (iniValue("Email", "confirmation_tags_nature") !== undefined) {
        ignored(iniLabel("Email", "confirmation_tags_nature"))
      }
    }
    const smtpFromIniOrEnv = () => {
      const host = iniValue("Email", "smtp_server")
      if (host !== undefined) set("SMTP_HOST", host, iniLabel("Email", "smtp_server"))
      const port = iniInt("Email", "smtp_port")
      if (port !== undefined) set("SMTP_PORT", String(port), iniLabel("Email", "smtp_port"), true)
    }
    const emailOff = (why: string) => {
      set("EMAIL_ENABLED", "false", why)
      notes.push(`email is off: ${why}`)
    }
    const instagramOn = (from: string) => {
      set("INSTAGRAM_ENABLED", "true", from)
      if (env("INSTAGRAM_ACCESS_TOKEN") === undefined) {
        notes.push(
          "instagram: publisher_v2 signed in with a username and INSTA_PASSWORD; Publisher posts through the Instagram Graph API and needs INSTAGRAM_USER_ID and INSTAGRAM_ACCESS_TOKEN"
        )
      }
    }

    const publishers = jsonVar("PUBLISHERS")
    if (publishers !== undefined) {
      if (!Array.isArray(publishers)) fail("PUBLISHERS must be a JSON array of {\"type\": ...} objects")
      const entries = publishers as Array<unknown>
      const seen = new Set<string>()
      const on = { telegram: false, email: false, instagram: false }
      entries.forEach((entry, i) => {
        if (!isObject(entry)) return fail(`PUBLISHERS[${i}] must be an object with a "type"`)
        const type = typeof entry["type"] === "string" ? entry["type"] : ""
        if (seen.has(type)) fail(`PUBLISHERS lists the type "${type}" twice`)
        seen.add(type)
        const path = `PUBLISHERS[${i}]`
        if (type === "telegram") {
          const channel = field(entry, "channel_id", `${path}.channel_id`, true) ??
            fail(`${path} (telegram) needs "channel_id"`)
          on.telegram = true
          set("TELEGRAM_ENABLED", "true", `${path} (telegram)`)
          set("TELEGRAM_CHANNEL_ID", channel, `${path}.channel_id`, true)
        } else if (type === "fetlife") {
          const recipient = field(entry, "recipient", `${path}.recipient`) ??
            fail(`${path} (fetlife) needs "recipient"`)
          on.email = true
          set("EMAIL_ENABLED", "true", `${path} (fetlife)`)
          set("EMAIL_RECIPIENT", recipient, `${path}.recipient`)
          const target = oneOf(
            field(entry, "caption_target", `${path}.caption_target`),
            ["subject", "body", "both"],
            `${path}.caption_target`
          )
          if (target !== undefined) set("EMAIL_CAPTION_TARGET", target, `${path}.caption_target`)
          const mode = oneOf(
            field(entry, "subject_mode", `${path}.subject_mode`),
            ["normal", "private", "avatar"],
            `${path}.subject_mode`
          )
          if (mode !== undefined) set("EMAIL_SUBJECT_MODE", mode, `${path}.subject_mode`)
          const server = jsonObject("EMAIL_SERVER")
          if (server !== undefined) {
            const sender = field(server, "sender", "EMAIL_SERVER.sender") ?? fail("EMAIL_SERVER needs \"sender\"")
            set("EMAIL_SENDER", sender, "EMAIL_SERVER.sender")
            const host = field(server, "smtp_server", "EMAIL_SERVER.smtp_server")
            if (host !== undefined) set("SMTP_HOST", host, "EMAIL_SERVER.smtp_server")
            const port = intField(server, "smtp_port", "EMAIL_SERVER.smtp_port")
            if (port !== undefined) set("SMTP_PORT", String(port), "EMAIL_SERVER.smtp_port", true)
          } else {
            const sender = iniValue("Email", "sender")
            if (sender !== undefined && sender !== "") set("EMAIL_SENDER", sender, iniLabel("Email", "sender"))
            smtpFromIniOrEnv()
          }
          confirmation(`${path} (fetlife)`)
        } else if (type === "instagram") {
          on.instagram = true
          instagramOn(`${path} (instagram)`)
        } else {
          notes.push(`${path}: unknown publisher type ${JSON.stringify(entry["type"])}, skipped (as publisher_v2 does)`)
        }
      })
      if (on.email && !values.has("EMAIL_SENDER") && (env("EMAIL_SENDER") ?? "") === "") {
        values.delete("EMAIL_ENABLED")
        emailOff(
          "PUBLISHERS lists fetlife but no sender is set (EMAIL_SERVER.sender, [Email] sender or EMAIL_SENDER), as publisher_v2 left it"
        )
      }
      if (!on.telegram) set("TELEGRAM_ENABLED", "false", "PUBLISHERS (no telegram entry)")
      if (!on.email) set("EMAIL_ENABLED", "false", "PUBLISHERS (no fetlife entry)")
      if (!on.instagram) set("INSTAGRAM_ENABLED", "false", "PUBLISHERS (no instagram entry)")
    } else if (ini?.has("Content")) {
      const telegram = iniBool("Content", "telegram", false)
      set("TELEGRAM_ENABLED", String(telegram), iniLabel("Content", "telegram"))
      const fetlife = iniBool("Content", "fetlife", false)
      if (!fetlife) set("EMAIL_ENABLED", "false", iniLabel("Content", "fetlife"))
      else if (!ini.has("Email")) {
        emailOff(
          `${iniLabel("Content", "fetlife")} is true but the file has no [Email] section, as publisher_v2 left it`
        )
      } else {
        set("EMAIL_ENABLED", "true", iniLabel("Content", "fetlife"))
        for (const [option, variable] of [["sender", "EMAIL_SENDER"], ["recipient", "EMAIL_RECIPIENT"]] as const) {
          const value = iniValue("Email", option)
          if (value !== undefined && value !== "") set(variable, value, iniLabel("Email", option))
        }
        const target = oneOf(
          iniValue("Email", "caption_target"),
          ["subject", "body", "both"],
          iniLabel("Email", "caption_target")
        )
        if (target !== undefined) set("EMAIL_CAPTION_TARGET", target, iniLabel("Email", "caption_target"))
        const mode = oneOf(
          iniValue("Email", "subject_mode"),
          ["normal", "private", "avatar"],
          iniLabel("Email", "subject_mode")
        )
        if (mode !== undefined) set("EMAIL_SUBJECT_MODE", mode, iniLabel("Email", "subject_mode"))
        smtpFromIniOrEnv()
        confirmation(iniLabel("Content", "fetlife"))
      }
      const instagram = iniBool("Content", "instagram", false)
      if (!instagram) set("INSTAGRAM_ENABLED", "false", iniLabel("Content", "instagram"))
      else if (!ini.has("Instagram")) {
        set("INSTAGRAM_ENABLED", "false", iniLabel("Content", "instagram"))
        notes.push(
          `instagram is off: ${
            iniLabel("Content", "instagram")
          } is true but the file has no [Instagram] section, as publisher_v2 left it`
        )
      } else instagramOn(iniLabel("Content", "instagram"))
    }
    // publisher_v2's own names of variables we name otherwise.
    const smtpServer = env("SMTP_SERVER")
    if (!values.has("SMTP_HOST") && smtpServer !== undefined && smtpServer !== "") {
      set("SMTP_HOST", smtpServer, "SMTP_SERVER")
    }
    const autoView = env("FEATURE_AUTO_VIEW")
    if (autoView !== undefined && autoView !== "") set("AUTO_VIEW", autoView, "FEATURE_AUTO_VIEW")
    const cacheTtl = env("WEB_IMAGE_CACHE_TTL_SECONDS")
    if (cacheTtl !== undefined && cacheTtl.trim() !== "") {
      const seconds = Number(cacheTtl)
      // publisher_v2 ignores a value that is not a positive number.
      if (Number.isFinite(seconds) && seconds > 0) {
        set("WEB_IMAGE_LIST_TTL_SECONDS", String(Math.ceil(seconds)), "WEB_IMAGE_CACHE_TTL_SECONDS")
      } else {notes.push(
          `WEB_IMAGE_CACHE_TTL_SECONDS=${
            JSON.stringify(cacheTtl)
          } is not a positive number and is ignored (as publisher_v2 does)`
        )}
    }

    // Models.
    const openai = jsonObject("OPENAI_SETTINGS")
    if (openai !== undefined) {
      for (const [key, variable] of OPENAI_KEYS) {
        const text = field(openai, key, `OPENAI_SETTINGS.${key}`)
        if (text !== undefined && text.trim() !== "") set(variable, text, `OPENAI_SETTINGS.${key}`)
      }
      // The vision image settings exist only here (publisher_v2 has no INI keys for them).
      for (
        const [key, variable] of [["vision_max_dimension", "VISION_MAX_DIMENSION"], [
          "vision_fallback_max_dimension",
          "VISION_FALLBACK_MAX_DIMENSION"
        ]] as const
      ) {
        const size = intField(openai, key, `OPENAI_SETTINGS.${key}`)
        if (size !== undefined) set(variable, String(size), `OPENAI_SETTINGS.${key}`)
      }
      for (
        const [key, variable] of [["vision_detail", "VISION_DETAIL"], [
          "vision_fallback_detail",
          "VISION_FALLBACK_DETAIL"
        ]] as const
      ) {
        const level = oneOf(
          field(openai, key, `OPENAI_SETTINGS.${key}`),
          ["low", "high", "auto"],
          `OPENAI_SETTINGS.${key}`
        )
        if (level !== undefined) set(variable, level, `OPENAI_SETTINGS.${key}`)
      }
      const fallback = boolField(openai, "vision_fallback_enabled", "OPENAI_SETTINGS.vision_fallback_enabled")
      if (fallback !== undefined) set("VISION_FALLBACK", String(fallback), "OPENAI_SETTINGS.vision_fallback_enabled")
      for (const key of Object.keys(openai)) {
        if (!OPENAI_KEYS.some(([k]) => k === key) && !key.startsWith("vision_") && openai[key] !== null) {
          ignored(`OPENAI_SETTINGS.${key}`)
        }
      }
    } else if (ini?.has("openAI")) {
      const legacyModel = iniValue("openAI", "model")
      for (const [key, variable] of OPENAI_KEYS) {
        const text = iniValue("openAI", key)
        if (text !== undefined && text.trim() !== "") set(variable, text, iniLabel("openAI", key))
        else if (key.endsWith("_model") && legacyModel !== undefined && legacyModel !== "") {
          set(variable, legacyModel, iniLabel("openAI", "model"))
        }
      }
      for (
        const key of [
          "sd_caption_enabled",
          "sd_caption_single_call_enabled",
          "sd_caption_model",
          "sd_caption_system_prompt",
          "sd_caption_role_prompt"
        ]
      ) {
        if (iniValue("openAI", key) !== undefined) ignored(iniLabel("openAI", key))
      }
    }

    // Content.
    const content = jsonObject("CONTENT_SETTINGS")
    const contentValue = (key: string) =>
      content !== undefined
        ? { value: content[key], from: `CONTENT_SETTINGS.${key}` }
        : { value: iniValue("Content", key), from: iniLabel("Content", key) }
    if (content !== undefined || ini?.has("Content")) {
      const hashtags = contentValue("hashtag_string")
      if (hashtags.value !== undefined && hashtags.value !== null) {
        if (typeof hashtags.value !== "string") fail(`${hashtags.from} must be a string`)
        if ((hashtags.value as string).trim() !== "") {
          set("CAPTION_HASHTAGS", (hashtags.value as string).trim(), hashtags.from)
        }
      }
      const flag = (key: string) => {
        const { from, value } = contentValue(key)
        if (value === undefined || value === null) return undefined
        const parsed = typeof value === "boolean"
          ? value
          : typeof value === "string" || typeof value === "number"
          ? iniBoolean(String(value))
          : undefined
        return { from, on: parsed ?? fail(`${from} must be true or false, got ${JSON.stringify(value)}`) }
      }
      const archive = flag("archive")
      if (archive !== undefined) set("ARCHIVE_POSTED", String(archive.on), archive.from)
      const debug = flag("debug")
      if (debug?.on === true) {
        set("FEATURE_PUBLISH", "false", debug.from)
        notes.push(`${debug.from} is true: nothing is published (as --dry-publish)`)
      }
      // publisher_v2's few-shot captions, used only with FEATURE_VOICE_MATCHING on (as there).
      const voice = contentValue("voice_profile")
      if (voice.value !== undefined && voice.value !== null) {
        let list: unknown = voice.value
        if (typeof list === "string") {
          try {
            list = JSON.parse(list)
          } catch {
            fail(`${voice.from} must be a JSON list of strings`)
          }
        }
        if (!Array.isArray(list) || !list.every((x) => typeof x === "string" || typeof x === "number")) {
          fail(`${voice.from} must be a JSON list of strings`)
        }
        const examples = (list as Array<string | number>).map(String)
        const matching = env("FEATURE_VOICE_MATCHING")
        if (matching !== undefined && iniBoolean(matching) === true) {
          set("CAPTION_EXAMPLES", JSON.stringify(examples), voice.from)
        } else notes.push(`${voice.from} is not used: FEATURE_VOICE_MATCHING is off (as in publisher_v2)`)
      }
    }

    // Sidecar extras. The extended metadata (subject, lighting, pose, ...) is always written here.
    const captionFile = jsonObject("CAPTIONFILE_SETTINGS")
    const alias = captionFile !== undefined
      ? {
        value: field(captionFile, "artist_alias", "CAPTIONFILE_SETTINGS.artist_alias"),
        from: "CAPTIONFILE_SETTINGS.artist_alias"
      }
      : { value: iniValue("CaptionFile", "artist_alias"), from: iniLabel("CaptionFile", "artist_alias") }
    if (alias.value !== undefined && alias.value.trim() !== "") {
      set("SIDECAR_ARTIST_ALIAS", alias.value.trim(), alias.from)
    }
    if (captionFile !== undefined) {
      for (const key of Object.keys(captionFile)) {
        if (key !== "artist_alias" && key !== "extended_metadata_enabled" && captionFile[key] !== null) {
          ignored(`CAPTIONFILE_SETTINGS.${key}`)
        }
      }
    }
  } catch (error) {
    if (error instanceof Fail) return Either.left(new ConfigurationError({ message: error.message }))
    throw error
  }
  return Either.right({ values, notes, sources })
}
