// PostGraphile 5 (amber preset) on the bench database, as a child process of the bench.
//   node --import ./polyfill.mjs bench/peers/postgraphile-server.mjs <database url> [<rls role>]
// With a role: every request runs as that role with alpha.workspace_id set from the
// x-workspace-id header (PostGraphile's pgSettings: begin; set_config...; query; commit), so the
// row-level security policies the bench created decide what is seen. Without: the connecting
// superuser, no policy applies, and the client's query states the tenant.
import { createServer } from "node:http";
import pg from "pg";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { ready, serveStats } from "./ipc.mjs";

const [url, role] = process.argv.slice(2);

// Statements sent to PostgreSQL, counted where pg sends them.
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(...args) {
  statements += 1;
  return query.apply(this, args);
};
serveStats(() => statements);

const preset = {
  extends: [PostGraphileAmberPreset],
  // PostGraphile hides a backward relation whose foreign key columns no index leads with:
  // deals/interactions -> contacts is (workspace_id, contact_id) since the tenant keys (#12
  // item 7), and the indexes the API's loaders use lead with contact_id. Shown anyway, as the
  // API's own query uses the same indexes.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ connectionString: url, schemas: ["public"], poolConfig: { max: 10 } })],
  grafserv: { graphqlPath: "/graphql", watch: false, graphiql: false },
  grafast: {
    explain: false,
    context(requestContext) {
      if (!role) return {};
      const req = requestContext.node?.req;
      return { pgSettings: { role, "alpha.workspace_id": String(req?.headers["x-workspace-id"] ?? "") } };
    },
  },
  schema: { exportSchemaSDLPath: undefined },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 60_000;
serv.addTo(server).then(
  () => server.listen(0, "127.0.0.1", () => ready(`http://127.0.0.1:${server.address().port}/graphql`)),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
