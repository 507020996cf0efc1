// Personal data is tagged where it is declared: each table file lists its personal columns
// with a category (the vocabulary of purposes.yaml dataCategories where they overlap), so
// masking, export, erasure and retention read one list instead of keeping their own.

export type PiiCategory = "identity" | "contact_details" | "professional" | "free_text" | "network" | "credentials";

/** Declares the personal columns of a table (by drizzle property name) and their category. */
export function tagPii<T extends Record<string, PiiCategory>>(columns: T): Readonly<T> {
  return Object.freeze(columns);
}
