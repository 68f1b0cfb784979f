import { SqliteStateMemory } from "../../../src/services/state/SqliteLive.js"
import { stateSuites } from "./suites.js"

stateSuites("SQLite", SqliteStateMemory)
