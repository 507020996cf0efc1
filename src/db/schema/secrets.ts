import { pgTable, text } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.js";

// Secrets every API process must share, generated once on a database that has none (in
// development, when SIGNING_SECRET is unset). Not tenant data, so no workspace_id: under
// Citus this is a reference table, copied to every node.
export const appSecrets = pgTable("app_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: createdAt(),
});
