import { defineConfig } from "drizzle-kit";

// drizzle-kit reads the table definitions and writes SQL migrations into drizzle/.
// `npm run db:generate` after a schema change; a test fails when this is forgotten.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/index.ts",
  out: "./drizzle",
  strict: true,
});
