import { type ChildProcess, execFile, spawn } from "node:child_process"
import { join } from "node:path"

export const root = new URL("../..", import.meta.url).pathname
/** The CLI as shipped: the bundle the global setup builds from the current sources (scripts/bundle.mjs). */
const main = join(root, "dist/publisher.mjs")

const baseEnv = () => ({ PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp" })

/** Runs the real CLI in a child process with only the given environment. */
export const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}, cwd?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { cwd: cwd ?? root, env: { ...baseEnv(), ...env }, timeout: 90_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

/** Runs the real CLI under `script` (util-linux), so its stdout and stderr are a terminal. */
export const cliOnTerminal = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const command = [process.execPath, main, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")
    execFile(
      "script",
      ["-qec", command, "/dev/null"],
      { cwd: root, env: { ...baseEnv(), ...env }, timeout: 90_000 },
      (error, stdout) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: stdout })
    )
  })

/** Starts the real CLI in a child process (to be killed by the test). */
export const spawnCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  stdout: "ignore" | "pipe" = "ignore"
): ChildProcess =>
  spawn(process.execPath, [main, ...args], {
    cwd: root,
    env: { ...baseEnv(), ...env },
    stdio: ["ignore", stdout, "ignore"]
  })

/**
 * Starts `publisher sandbox --serve` on a port the system picks (PORT=0) and waits for the
 * admin URL it prints once it listens. If the process ends first, fails with its stderr.
 */
export const startSandboxServer = (args: ReadonlyArray<string>, env: Record<string, string>, timeoutMs = 60_000) => {
  const child = spawn(process.execPath, [main, "sandbox", "--serve", ...args], {
    cwd: root,
    env: { ...baseEnv(), ...env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const ready = new Promise<{ url: string; output: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no admin URL after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)),
      timeoutMs
    )
    const check = () => {
      const url = /Admin page: (http:\/\/\S+?)\/ /.exec(stdout)?.[1]
      if (url !== undefined && stdout.includes("Press Ctrl-C")) {
        clearTimeout(timer)
        resolve({ url, output: stdout })
      }
    }
    child.stdout.on("data", check)
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      reject(
        new Error(
          `publisher sandbox --serve ended (${code ?? signal}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`
        )
      )
    })
  })
  return { child, ready, stop: () => child.kill("SIGINT") }
}
