import type { FileSystem } from "@effect/platform"
import { Path, PlatformConfigProvider } from "@effect/platform"
import { ConfigError, ConfigProvider, ConfigProviderPathPatch, Effect, HashSet, Layer, Option } from "effect"

/** `--env FILE` and `--config FILE`, wherever they are, and the arguments left for `@effect/cli`. */
export interface GlobalOptions {
  readonly env: string | undefined
  readonly config: string | undefined
  /** The arguments without `--env`/`--config` and their values. */
  readonly args: ReadonlyArray<string>
}

const GLOBAL = ["--env", "--config"] as const
type Global = (typeof GLOBAL)[number]
const isGlobal = (arg: string): arg is Global => (GLOBAL as ReadonlyArray<string>).includes(arg)

/**
 * Finds `--env FILE` and `--config FILE` (or `--env=FILE`, `--config=FILE`) before or after the
 * command, and takes them out of the arguments: the entry point reads the env file before any
 * command runs (logging, telemetry read their configuration first), and `@effect/cli` would only
 * take them before the command's name. Not after `--`, and not the value of another option
 * (`--caption --env` is a caption): `takesValue` says which options take one (`--caption`, `-c`).
 * An `--env` with no value after it is left in place, for `@effect/cli` to report.
 */
export const globalOptionsFromArgs = (
  args: ReadonlyArray<string>,
  takesValue: (option: string) => boolean = () => false
): GlobalOptions => {
  const found: Record<Global, string | undefined> = { "--env": undefined, "--config": undefined }
  const rest: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") {
      rest.push(...args.slice(i))
      break
    }
    const eq = arg.indexOf("=")
    const name = eq === -1 ? arg : arg.slice(0, eq)
    if (isGlobal(name)) {
      if (eq !== -1) {
        found[name] = arg.slice(eq + 1)
        continue
      }
      const value = args[i + 1]
      if (value !== undefined && value !== "--") {
        found[name] = value
        i++
        continue
      }
    }
    rest.push(arg)
    if (eq === -1 && arg.startsWith("-") && takesValue(arg) && i + 1 < args.length) {
      // The next argument is this option's value, whatever it looks like.
      rest.push(args[i + 1]!)
      i++
    }
  }
  return { env: found["--env"], config: found["--config"], args: rest }
}

/** The env file named by `--env FILE` (or `--env=FILE`), before or after the command. */
export const envFileFromArgs = (
  args: ReadonlyArray<string>,
  takesValue?: (option: string) => boolean
): string | undefined => globalOptionsFromArgs(args, takesValue).env

/**
 * The names (`--caption`, `-c`) of the options that take a value, in a command and its
 * subcommands. Reads `@effect/cli`'s descriptors, which it does not document: finding none
 * only makes `--caption --env` read as an `--env`.
 */
export const optionsTakingValues = (command: unknown): ReadonlySet<string> => {
  const names = new Set<string>()
  const seen = new Set<unknown>()
  const fullName = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`)
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null || seen.has(node)) return
    seen.add(node)
    if (Array.isArray(node)) {
      for (const child of node) visit(child)
      return
    }
    const record = node as Record<string, unknown>
    if (record["_tag"] === "Single" && typeof record["name"] === "string") {
      const primitive = record["primitiveType"] as { readonly _tag?: unknown } | undefined
      if (primitive?._tag !== "Bool") {
        names.add(fullName(record["name"]))
        for (const alias of Array.isArray(record["aliases"]) ? record["aliases"] : []) {
          if (typeof alias === "string") names.add(fullName(alias))
        }
      }
      return
    }
    for (const key of ["descriptor", "command", "parent", "children", "options", "left", "right", "argumentOption"]) {
      visit(record[key])
    }
  }
  visit(command)
  return names
}

/** Where a provider's variables come from, in the user's words ("from the environment"), by name. */
export interface ConfigSource {
  readonly provider: ConfigProvider.ConfigProvider
  /** "from the environment", "from .env (/srv/app/.env)": for the variable `name` it gives. */
  readonly from: (name: string) => string | undefined
}

/** What each provider built by `layeredProvider` says about where its variables came from. */
const origins = new WeakMap<ConfigProvider.ConfigProvider, (name: string) => string | undefined>()

/** Where `provider` (built by `layeredProvider`) got `name` from, once it was read. */
export const originOf = (provider: ConfigProvider.ConfigProvider, name: string): string | undefined =>
  origins.get(provider)?.(name)

const nameOf = (path: ReadonlyArray<string>) => path.join("_")

/** The message of each invalid value, with where it came from. */
const withOrigins = (
  error: ConfigError.ConfigError,
  from: (name: string) => string | undefined
): ConfigError.ConfigError => {
  switch (error._op) {
    case "And":
      return ConfigError.And(withOrigins(error.left, from), withOrigins(error.right, from))
    case "Or":
      return ConfigError.Or(withOrigins(error.left, from), withOrigins(error.right, from))
    case "InvalidData": {
      const origin = from(nameOf(error.path))
      return origin === undefined ? error : ConfigError.InvalidData(error.path, `${error.message} (${origin})`)
    }
    default:
      return error
  }
}

/**
 * One provider over several, the first first: each variable is read from the first that has it,
 * and only from it, so a value that is set but invalid is an error, not replaced by a later
 * one (`ConfigProvider.orElse` would try the next on any error, and report both). An invalid
 * value's message says where it came from (`… (from the environment)`).
 */
export const layeredProvider = (sources: ReadonlyArray<ConfigSource>): ConfigProvider.ConfigProvider => {
  const served = new Map<string, string | undefined>()
  const flats = sources.map((source) => {
    // Our providers (fromEnv, fromMap, a dotenv file) have no path patch: their flat reads the names as given.
    if (source.provider.flattened.patch._tag !== "Empty") {
      throw new Error("layeredProvider: a provider with a path patch is not supported")
    }
    return source.provider.flattened
  })
  const flat = ConfigProvider.makeFlat({
    patch: ConfigProviderPathPatch.empty,
    load: (path, primitive, split = true) => {
      const loop = (i: number): Effect.Effect<Array<any>, ConfigError.ConfigError> =>
        flats[i]!.load(path, primitive, split).pipe(
          Effect.tap(() => served.set(nameOf(path), sources[i]!.from(nameOf(path)))),
          Effect.catchAll((error) => {
            if (ConfigError.isMissingDataOnly(error) && i + 1 < flats.length) return loop(i + 1)
            if (!ConfigError.isMissingDataOnly(error)) served.set(nameOf(path), sources[i]!.from(nameOf(path)))
            return Effect.fail(error)
          })
        )
      return loop(0)
    },
    enumerateChildren: (path) =>
      Effect.forEach(flats, (f) => Effect.either(f.enumerateChildren(path))).pipe(
        Effect.flatMap((results) => {
          const found = results.filter((r) => r._tag === "Right")
          if (found.length === 0 && results[0]?._tag === "Left") return Effect.fail(results[0].left)
          return Effect.succeed(found.reduce((all, r) => HashSet.union(all, r.right), HashSet.empty<string>()))
        })
      )
  })
  const inner = ConfigProvider.fromFlat(flat)
  const from = (name: string) => served.get(name)
  const provider = ConfigProvider.make({
    load: (config) => inner.load(config).pipe(Effect.mapError((error) => withOrigins(error, from))),
    flattened: flat
  })
  origins.set(provider, from)
  return provider
}

/**
 * The configuration every command reads, below publisher_v2's (src/cli/legacyConfig.ts): the
 * environment, then the env file `path` (`./.env`, or `--env FILE`, `ENV_PATH`) when it exists.
 * The environment wins for every variable, even with a value that is not valid.
 */
export const envConfigLayer = (path: string): Layer.Layer<never, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const environment = yield* Effect.configProviderWith(Effect.succeed)
    const file = yield* PlatformConfigProvider.fromDotEnv(path).pipe(Effect.option)
    const resolved = (yield* Path.Path).resolve(path)
    const sources: Array<ConfigSource> = [{ provider: environment, from: () => "from the environment" }]
    if (Option.isSome(file)) sources.push({ provider: file.value, from: () => `from .env (${resolved})` })
    else yield* Effect.logDebug(`File '${path}' not found, skipping dotenv ConfigProvider.`)
    return Layer.setConfigProvider(layeredProvider(sources))
  }).pipe(Layer.unwrapEffect)
