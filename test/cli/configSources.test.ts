import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigError, ConfigProvider, Effect, Either } from "effect"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { envConfigLayer, layeredProvider, originOf } from "../../src/cli/envFile.js"
import { describeConfigError } from "../../src/cli/failure.js"

const Storage = Config.literal("dropbox", "local")("STORAGE").pipe(Config.withDefault("dropbox" as const))
const Port = Config.integer("PORT").pipe(
  Config.validate({ message: "must be a port number", validation: (n) => n >= 0 && n <= 65535 }),
  Config.withDefault(8000)
)

const env = (entries: Record<string, string>) => ({
  provider: ConfigProvider.fromMap(new Map(Object.entries(entries)), { pathDelim: "_" }),
  from: () => "from the environment"
})
const file = (entries: Record<string, string>) => ({
  provider: ConfigProvider.fromMap(new Map(Object.entries(entries)), { pathDelim: "_" }),
  from: () => "from .env (/app/.env)"
})

const lines = <A>(provider: ConfigProvider.ConfigProvider, config: Config.Config<A>) =>
  provider.load(config).pipe(Effect.either, Effect.map(Either.mapLeft(describeConfigError)))

describe("layeredProvider (the environment, then the env file)", () => {
  it.effect("the first source that sets a variable gives it; a later one only what the first leaves unset", () =>
    Effect.gen(function*() {
      const provider = layeredProvider([env({ STORAGE: "local" }), file({ STORAGE: "dropbox", PORT: "9000" })])
      expect(yield* provider.load(Storage)).toBe("local")
      expect(yield* provider.load(Port)).toBe(9000)
      expect(originOf(provider, "STORAGE")).toBe("from the environment")
      expect(originOf(provider, "PORT")).toBe("from .env (/app/.env)")
      expect(yield* layeredProvider([env({}), file({})]).load(Port)).toBe(8000)
    }))

  it.effect("an invalid value in the environment is an error, whatever the file says, and says where it came from", () =>
    Effect.gen(function*() {
      const provider = layeredProvider([env({ STORAGE: "lokal" }), file({ STORAGE: "local" })])
      expect(yield* lines(provider, Storage)).toEqual(Either.left([
        "invalid configuration variable STORAGE: Expected one of (dropbox, local) but received \"lokal\" (from the environment)"
      ]))
      const fromFile = layeredProvider([env({}), file({ STORAGE: "lokal" })])
      expect(yield* lines(fromFile, Storage)).toEqual(Either.left([
        "invalid configuration variable STORAGE: Expected one of (dropbox, local) but received \"lokal\" (from .env (/app/.env))"
      ]))
    }))

  it.effect("PORT=abc is one error naming PORT and what it expects, not also a missing PORT", () =>
    Effect.gen(function*() {
      const provider = layeredProvider([env({ PORT: "abc" }), file({})])
      expect(yield* lines(provider, Port)).toEqual(Either.left([
        "invalid configuration variable PORT: Expected an integer value but received \"abc\" (from the environment)"
      ]))
      // A value the provider reads but the configuration rejects says where it came from too.
      expect(yield* lines(layeredProvider([env({ PORT: "99999" }), file({})]), Port)).toEqual(Either.left([
        "invalid configuration variable PORT: must be a port number (from the environment)"
      ]))
    }))

  it.effect("a missing variable is reported once, as missing", () =>
    Effect.gen(function*() {
      const result = yield* layeredProvider([env({}), file({})]).load(Config.string("IMAGE_FOLDER")).pipe(Effect.flip)
      expect(ConfigError.isMissingDataOnly(result)).toBe(true)
      expect(describeConfigError(result)).toEqual(["missing configuration variable IMAGE_FOLDER"])
    }))
})

describe("envConfigLayer (the entry point's configuration)", () => {
  it.live("the environment wins over the env file for every variable; the file fills in the rest", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "publisher-sources-"))),
        (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
      )
      const path = join(dir, "my.env")
      yield* Effect.promise(() => writeFile(path, "STORAGE=local\nPORT=9000\n"))
      const read = <A>(environment: Record<string, string>, config: Config.Config<A>) =>
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(environment)), { pathDelim: "_" }))(
          config.pipe(Effect.either, Effect.provide(envConfigLayer(path)))
        ).pipe(Effect.provide(NodeContext.layer))
      expect(yield* read({ STORAGE: "dropbox" }, Storage)).toEqual(Either.right("dropbox"))
      expect(yield* read({}, Port)).toEqual(Either.right(9000))
      const bad = yield* read({ STORAGE: "lokal" }, Storage)
      expect(Either.mapLeft(bad, describeConfigError)).toEqual(Either.left([
        "invalid configuration variable STORAGE: Expected one of (dropbox, local) but received \"lokal\" (from the environment)"
      ]))
    }).pipe(Effect.scoped))
})
