import { FreshPgState } from "../../support/postgres.js"
import { stateSuites } from "./suites.js"

// A real PostgreSQL server (Debian's postgresql package; .ci/run installs it), a new database per test.
stateSuites("PostgreSQL", FreshPgState)
