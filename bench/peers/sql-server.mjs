// The hand-written peer: plain node:http + postgres.js, one prepared statement that builds the
// whole answer (the API's JSON for the nested page) with json_agg. Same rules as the policies
// give the owner under service_provision: the tenant, and no restricted or erased person.
// The tenant comes from the x-workspace-id header (the bench is the only client).
//   node bench/peers/sql-server.mjs <database url>
import { createServer } from "node:http";
import postgres from "postgres";
import { ready, serveStats } from "./ipc.mjs";

const sql = postgres(process.argv[2], { max: 10, onnotice: () => undefined, connection: { application_name: "bench-peer-sql" } });
let statements = 0;
serveStats(() => statements);

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const PAGE = `
with page as (
  select c.id, c.first_name, c.last_name, c.email, c.company_id, c.created_at
  from contacts c
  where c.workspace_id = $1 and not c.processing_restricted and c.erased_at is null
  order by c.created_at desc, c.id desc
  limit $2
)
select json_build_object('data', json_build_object('contacts', json_build_object(
  'totalCount', (select count(*) from contacts c where c.workspace_id = $1 and not c.processing_restricted and c.erased_at is null),
  'nodes', coalesce((select json_agg(json_build_object(
    'id', p.id, 'firstName', p.first_name, 'lastName', p.last_name, 'email', p.email,
    'company', (select json_build_object('id', co.id, 'name', co.name) from companies co where co.id = p.company_id and co.workspace_id = $1),
    'deals', coalesce((select json_agg(json_build_object('id', d.id, 'title', d.title, 'stage', d.stage, 'amount', d.amount::float8) order by d.created_at desc, d.id desc)
      from (select * from deals d where d.contact_id = p.id and d.workspace_id = $1 order by d.created_at desc, d.id desc limit 100) d), '[]'),
    'interactions', coalesce((select json_agg(json_build_object('id', i.id, 'kind', i.kind, 'subject', i.subject,
        'occurredAt', to_char(i.occurred_at at time zone 'UTC', ${ISO})) order by i.occurred_at desc, i.id desc)
      from (select * from interactions i where i.contact_id = p.id and i.workspace_id = $1 order by i.occurred_at desc, i.id desc limit 100) i), '[]')
  ) order by p.created_at desc, p.id desc) from page p), '[]')
)))::text as body`;

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString() || "{}");
      const first = Math.min(Number(body.variables?.first ?? 50), 200);
      const workspace = req.headers["x-workspace-id"];
      statements += 1;
      const [row] = await sql.unsafe(PAGE, [workspace, first], { prepare: true });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(row.body);
    } catch (error) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ message: String(error?.message ?? error) }] }));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => ready(`http://127.0.0.1:${server.address().port}/graphql`));
