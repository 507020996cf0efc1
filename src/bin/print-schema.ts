import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printedSchema } from "../graphql/schema.js";

export const SCHEMA_FILE = fileURLToPath(new URL("../../schema/schema.graphql", import.meta.url));

writeFileSync(SCHEMA_FILE, await printedSchema());
console.log(`wrote ${SCHEMA_FILE}`);
