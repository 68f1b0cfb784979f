import { describe, expect, it } from "@effect/vitest"
import { envFileFromArgs } from "../../src/cli/envFile.js"

describe("envFileFromArgs (--env before the command)", () => {
  it("finds --env FILE and --env=FILE before the command, past --config FILE", () => {
    expect(envFileFromArgs(["--env", "a.env", "run"])).toBe("a.env")
    expect(envFileFromArgs(["--config", "x.ini", "--env=b.env", "run", "--json"])).toBe("b.env")
    expect(envFileFromArgs(["--config", "--env", "run"])).toBeUndefined()
  })

  it("ignores what comes after the command, and answers nothing without the option", () => {
    expect(envFileFromArgs(["run", "--env", "c.env"])).toBeUndefined()
    expect(envFileFromArgs(["run", "--select", "--env"])).toBeUndefined()
    expect(envFileFromArgs([])).toBeUndefined()
  })
})
