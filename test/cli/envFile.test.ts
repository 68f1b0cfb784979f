import { Command, Options } from "@effect/cli"
import { describe, expect, it } from "@effect/vitest"
import { envFileFromArgs, globalOptionsFromArgs, optionsTakingValues } from "../../src/cli/envFile.js"

describe("envFileFromArgs (--env before or after the command)", () => {
  it("finds --env FILE and --env=FILE before the command, past --config FILE", () => {
    expect(envFileFromArgs(["--env", "a.env", "run"])).toBe("a.env")
    expect(envFileFromArgs(["--config", "x.ini", "--env=b.env", "run", "--json"])).toBe("b.env")
    expect(envFileFromArgs(["--config", "--env", "run"])).toBeUndefined()
  })

  it("finds it after the command too, but not as another option's value, after --, or without a value", () => {
    const takesValue = (option: string) => ["--select", "--caption"].includes(option)
    expect(envFileFromArgs(["run", "--env", "c.env"])).toBe("c.env")
    expect(envFileFromArgs(["run", "--preview", "--env", "c.env"], takesValue)).toBe("c.env")
    expect(envFileFromArgs(["run", "--preview", "--env=d.env"], takesValue)).toBe("d.env")
    expect(envFileFromArgs(["run", "--select", "--env"], takesValue)).toBeUndefined()
    expect(envFileFromArgs(["sandbox", "--caption", "--env", "x"], takesValue)).toBeUndefined()
    expect(envFileFromArgs(["run", "--", "--env", "c.env"])).toBeUndefined()
    expect(envFileFromArgs(["run", "--env"])).toBeUndefined()
    expect(envFileFromArgs([])).toBeUndefined()
  })
})

describe("globalOptionsFromArgs", () => {
  const takesValue = (option: string) => ["--select", "--caption", "-c"].includes(option)

  it("takes --env and --config out of the arguments, wherever they are", () => {
    expect(globalOptionsFromArgs(["run", "--preview", "--env", "my.env", "--config=v2.ini", "--json"], takesValue))
      .toEqual({
        env: "my.env",
        config: "v2.ini",
        args: ["run", "--preview", "--json"]
      })
    expect(globalOptionsFromArgs(["--config", "v2.ini", "--env", "a.env", "run"], takesValue)).toEqual({
      env: "a.env",
      config: "v2.ini",
      args: ["run"]
    })
  })

  it("leaves another option's value, what follows --, and a value-less --env to @effect/cli", () => {
    expect(globalOptionsFromArgs(["sandbox", "--caption", "--env", "-c", "--config"], takesValue)).toEqual({
      env: undefined,
      config: undefined,
      args: ["sandbox", "--caption", "--env", "-c", "--config"]
    })
    expect(globalOptionsFromArgs(["run", "--", "--env", "x.env"], takesValue)).toEqual({
      env: undefined,
      config: undefined,
      args: ["run", "--", "--env", "x.env"]
    })
    expect(globalOptionsFromArgs(["run", "--env"], takesValue)).toEqual({
      env: undefined,
      config: undefined,
      args: ["run", "--env"]
    })
  })
})

describe("optionsTakingValues", () => {
  it("lists the options of a command and its subcommands that take a value, not the flags", () => {
    const child = Command.make("run", {
      select: Options.text("select").pipe(Options.optional),
      caption: Options.text("caption").pipe(Options.withAlias("c"), Options.withDefault("")),
      runs: Options.integer("runs").pipe(Options.withDefault(1)),
      preview: Options.boolean("preview")
    })
    const root = Command.make("publisher", { env: Options.file("env").pipe(Options.optional) }).pipe(
      Command.withSubcommands([child])
    )
    const names = optionsTakingValues(root)
    expect([...names].sort()).toEqual(["--caption", "--env", "--runs", "--select", "-c"])
  })
})
