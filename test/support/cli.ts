import { type ChildProcess, execFile, spawn } from "node:child_process"
import { createServer } from "node:net"
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
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

/** Runs the real CLI under `script` (util-linux), so its stdout and stderr are a terminal. */
export const cliOnTerminal = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const command = [process.execPath, main, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")
    execFile("script", ["-qec", command, "/dev/null"], { cwd: root, env: { ...baseEnv(), ...env }, timeout: 90_000 }, (error, stdout) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: stdout }))
  })

/** Starts the real CLI in a child process (to be killed by the test). */
export const spawnCli = (args: ReadonlyArray<string>, env: Record<string, string>, stdout: "ignore" | "pipe" = "ignore"): ChildProcess =>
  spawn(process.execPath, [main, ...args], { cwd: root, env: { ...baseEnv(), ...env }, stdio: ["ignore", stdout, "ignore"] })

/** A TCP port free on 127.0.0.1 right now. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })
