// Personal data is tagged where it is declared: each table file lists its personal columns
// with a category, so export, erasure, masking and retention read one list.

export type PiiCategory = "identity" | "contact_details" | "professional" | "free_text" | "network" | "credentials";

export interface PiiTag {
  table: string;
  column: string;
  category: PiiCategory;
}

const registry: PiiTag[] = [];

export function tagPii(table: string, columns: Record<string, PiiCategory>): Record<string, PiiCategory> {
  for (const [column, category] of Object.entries(columns)) registry.push({ table, column, category });
  return columns;
}

export function piiColumns(table?: string): PiiTag[] {
  return registry.filter((tag) => table === undefined || tag.table === table);
}
