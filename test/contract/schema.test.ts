import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { execute, GraphQLObjectType, GraphQLSchema, GraphQLString, isEnumType, isObjectType, parse } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { guardOf, guardSchema, isGuarded } from "../../src/graphql/guard.js";
import { buildSchema, printedSchema } from "../../src/graphql/schema.js";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildSchema();
});

const ROOTS = ["Query", "Mutation"];
/** The contract's public operations; everything else needs a principal. */
const PUBLIC_OPERATIONS = ["Mutation.login", "Mutation.acceptInvitation", "Mutation.resetPassword", "Query.processingPurposes", "Query.policyVersions"];

function objectTypes(s: GraphQLSchema): GraphQLObjectType[] {
  return Object.values(s.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith("__"));
}

describe("every resolver is guarded", () => {
  it("declares a guard on every Query and Mutation field", () => {
    const missing = ROOTS.flatMap((root) =>
      Object.values((schema.getType(root) as GraphQLObjectType).getFields())
        .filter((f) => !guardOf(f.extensions))
        .map((f) => `${root}.${f.name}`),
    );
    expect(missing).toEqual([]);
  });

  it("declares a guard on every field of every object type (on the type or the field)", () => {
    const missing = objectTypes(schema)
      .filter((t) => !ROOTS.includes(t.name))
      .flatMap((t) =>
        Object.values(t.getFields())
          .filter((f) => !guardOf(t.extensions) && !guardOf(f.extensions))
          .map((f) => `${t.name}.${f.name}`),
      );
    expect(missing).toEqual([]);
  });

  it("marks only the contract's public operations public", () => {
    const publicOps = ROOTS.flatMap((root) =>
      Object.values((schema.getType(root) as GraphQLObjectType).getFields())
        .filter((f) => guardOf(f.extensions)?.kind === "public")
        .map((f) => `${root}.${f.name}`),
    );
    expect(publicOps.sort()).toEqual([...PUBLIC_OPERATIONS].sort());
  });

  it("uses the contract's action and subject names", () => {
    const names = objectTypes(schema).flatMap((t) => [guardOf(t.extensions), ...Object.values(t.getFields()).map((f) => guardOf(f.extensions))]);
    for (const guard of names) {
      if (guard?.kind !== "ability") continue;
      expect([
        "read",
        "create",
        "update",
        "delete",
        "grant_consent",
        "withdraw_consent",
        "restrict",
        "object",
        "export",
        "erase",
        "issue_unsubscribe_link",
        // A user's correction of their own profile (Art. 16), granted by the self rule self.rectify only.
        "rectify",
        "issue_password_reset",
      ]).toContain(guard.action);
    }
  });

  it("runs every field of every object type through its guard (guardSchema)", () => {
    const bare = objectTypes(schema).flatMap((t) =>
      Object.values(t.getFields())
        .filter((f) => !isGuarded(f.resolve))
        .map((f) => `${t.name}.${f.name}`),
    );
    expect(bare).toEqual([]);
  });

  it("refuses to run a field that has no guard (fail closed), on a root type and on an object type", async () => {
    let ran = 0;
    const leak = () => {
      ran += 1;
      return "leaked";
    };
    const Thing = new GraphQLObjectType({ name: "Thing", fields: { secret: { type: GraphQLString, resolve: leak } } });
    const Query = new GraphQLObjectType({
      name: "Query",
      fields: {
        unguarded: { type: GraphQLString, resolve: leak },
        thing: { type: Thing, extensions: { guard: { kind: "public" } }, resolve: () => ({}) },
      },
    });
    const guardedSchema = guardSchema(new GraphQLSchema({ query: Query }));
    const contextValue = { request: {}, masked: new Map() };
    const root = await execute({ schema: guardedSchema, document: parse("{ unguarded }"), contextValue });
    expect(root.errors?.map((e) => e.message)).toEqual(["Query.unguarded declares no guard"]);
    const nested = await execute({ schema: guardedSchema, document: parse("{ thing { secret } }"), contextValue });
    expect(nested.errors?.map((e) => e.message)).toEqual(["Thing.secret declares no guard"]);
    expect(ran).toBe(0);
  });

  it("describes every type and field", () => {
    const undocumented = objectTypes(schema).flatMap((t) => [
      ...(t.description || ROOTS.includes(t.name) ? [] : [t.name]),
      ...Object.values(t.getFields())
        .filter((f) => !f.description)
        .map((f) => `${t.name}.${f.name}`),
    ]);
    expect(undocumented).toEqual([]);
  });

  it("describes every argument and every enum value", () => {
    const types = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith("__"));
    const undocumented = [
      ...objectTypes(schema).flatMap((t) =>
        Object.values(t.getFields()).flatMap((f) => f.args.filter((a) => !a.description).map((a) => `${t.name}.${f.name}(${a.name})`)),
      ),
      ...types.filter(isEnumType).flatMap((e) =>
        e
          .getValues()
          .filter((v) => !v.description)
          .map((v) => `${e.name}.${v.name}`),
      ),
    ];
    expect(undocumented).toEqual([]);
  });
});

describe("generated files do not drift", () => {
  it("schema/schema.graphql is the schema printed from the code (npm run schema:print)", async () => {
    const committed = readFileSync(resolve("schema/schema.graphql"), "utf8");
    expect(committed).toBe(await printedSchema());
  });

  it("drizzle/ holds every change of src/db/schema (npm run db:generate finds nothing)", () => {
    const dir = mkdtempSync(join(tmpdir(), "alpha-drift-"));
    try {
      cpSync(resolve("drizzle"), join(dir, "drizzle"), { recursive: true });
      const config = join(dir, "drizzle.config.ts");
      writeFileSync(
        config,
        `export default { dialect: "postgresql", schema: ${JSON.stringify(resolve("src/db/schema/index.ts"))}, out: ${JSON.stringify(relative(resolve("."), join(dir, "drizzle")))} };\n`,
      );
      const run = spawnSync(resolve("node_modules/.bin/drizzle-kit"), ["generate", "--config", config], { encoding: "utf8", cwd: resolve(".") });
      expect(`${run.stdout}${run.stderr}`).toMatch(/No schema changes/);
      expect(readdirSync(join(dir, "drizzle")).sort()).toEqual(readdirSync(resolve("drizzle")).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
