import { Config, Option } from "effect"
import { homedir } from "node:os"
import { isAbsolute, join } from "node:path"

/** A leading `~/` (as a `.env` file may write it; no shell expands it there) means the home folder. */
const expandHome = (
  path: string
) => (path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path)

/** An unset or blank variable is absent. */
const optionalPath = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map(
      Option.filterMap((value) => (value.trim() === "" ? Option.none() : Option.some(expandHome(value.trim()))))
    )
  )

/**
 * Where the state database lives: `PUBLISHER_STATE_DB` (a file path, or `:memory:`), else
 * `$XDG_STATE_HOME/publisher/state.db`, where XDG_STATE_HOME defaults to `~/.local/state` (and, as
 * the XDG spec says, a relative XDG_STATE_HOME is ignored).
 */
export const StateDbConfig: Config.Config<string> = Config.all([
  optionalPath("PUBLISHER_STATE_DB"),
  optionalPath("XDG_STATE_HOME")
]).pipe(
  Config.map(([explicit, xdg]) =>
    Option.getOrElse(explicit, () =>
      join(
        Option.getOrElse(Option.filter(xdg, isAbsolute), () => join(homedir(), ".local", "state")),
        "publisher",
        "state.db"
      ))
  )
)
