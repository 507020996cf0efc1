import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { CITUS_SQL_FILE, distributionSql } from "../db/citus.js";

// `npm run citus:sql`: (re)writes drizzle/citus/distribute.sql, the Citus layout of the schema.
const file = fileURLToPath(CITUS_SQL_FILE);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, distributionSql());
console.log(`wrote ${file}`);
