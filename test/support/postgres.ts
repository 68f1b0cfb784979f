import { Effect, Layer, Redacted } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makePgState } from "../../src/services/state/PgLive.js"

/**
 * A throwaway PostgreSQL server for tests: Debian's `postgresql` package (`initdb`, `pg_ctl`),
 * a cluster in a temporary folder on a free loopback port, trust authentication, durability off.
 * Started on first use in each test process, stopped when that process exits and, in any case, by
 * the global setup's teardown (./globalSetup.ts), which stops every cluster under its folder. As
 * root (CI), the server runs as the `postgres` user, which the package creates.
 */
const binDir = (): string => {
  const root = "/usr/lib/postgresql"
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a))
    : []
  if (versions[0] === undefined) {
    throw new Error("PostgreSQL is required for the State tests on PostgreSQL: apt-get install -y postgresql")
  }
  return join(root, versions[0], "bin")
}

const asRoot = process.getuid?.() === 0

/** A server binary's command line, as `postgres` when we are root (PostgreSQL refuses to run as root). */
const commandOf = (bin: string, args: ReadonlyArray<string>): [string, Array<string>] =>
  asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, [...args]]

const run = (bin: string, args: ReadonlyArray<string>) =>
  execFileSync(...commandOf(bin, args), { stdio: ["ignore", "pipe", "pipe"] })

const stop = (bin: string, data: string) =>
  spawnSync(...commandOf(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]), { stdio: "ignore" })

/** Stops the server of every cluster folder under `root` (the global teardown). */
export const stopClustersUnder = (root: string): void => {
  if (!existsSync(root)) return
  const clusters = readdirSync(root).map((name) => join(root, name, "data")).filter((data) =>
    existsSync(join(data, "postmaster.pid"))
  )
  if (clusters.length > 0) {
    const bin = binDir()
    for (const data of clusters) stop(bin, data)
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

let server: Promise<{ readonly port: number; readonly bin: string }> | undefined

const start = async () => {
  const bin = binDir()
  const root = process.env["PUBLISHER_TEST_PG_ROOT"] ?? tmpdir()
  if (asRoot) chmodSync(root, 0o755)
  const dir = mkdtempSync(join(root, "cluster-"))
  if (asRoot) {
    const uid = Number(
      execFileSync("id", ["-u", "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim()
    )
    const gid = Number(
      execFileSync("id", ["-g", "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim()
    )
    chownSync(dir, uid, gid)
  }
  chmodSync(dir, 0o700)
  const data = join(dir, "data")
  run(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "publisher", "-E", "UTF8", "--no-sync"])
  // The port is free when chosen but another test process may take it before the server binds
  // it: then the start fails and another port is tried.
  let port = 0
  for (let attempt = 1;; attempt++) {
    port = await freePort()
    const options =
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
    try {
      run(join(bin, "pg_ctl"), ["-D", data, "-l", join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"])
      break
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
  process.once("exit", () => {
    stop(bin, data)
    rmSync(dir, { recursive: true, force: true })
  })
  return { port, bin }
}

let databases = 0

/** The URL of a new, empty database on the test server (the server starts on first use). */
export const freshDatabaseUrl = async (): Promise<string> => {
  server ??= start()
  const { bin, port } = await server
  const name = `publisher_test_${process.pid}_${++databases}`
  execFileSync(join(bin, "psql"), [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-U",
    "publisher",
    "-d",
    "postgres",
    "-v",
    "ON_ERROR_STOP=1",
    "-q",
    "-c",
    `CREATE DATABASE ${name}`
  ], {
    stdio: ["ignore", "pipe", "pipe"]
  })
  return `postgres://publisher@127.0.0.1:${port}/${name}`
}

/** State on a new PostgreSQL database per build of the layer. */
export const FreshPgState = Layer.unwrapEffect(
  Effect.promise(freshDatabaseUrl).pipe(Effect.map((url) => makePgState(Redacted.make(url), url)))
)
