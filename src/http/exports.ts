import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PolicySet } from "../authz/policy-loader.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { CursorCodec } from "../modules/common/cursor.js";
import { exportService } from "../modules/exports/export.service.js";
import { EXPORTS_PATH, type ExportLinks } from "../modules/exports/export.token.js";
import { anonymousRetryAfter } from "./authenticate.js";

/**
 * `GET /exports/<token>`: streams a large export (DataExport.downloadUrl). The sealed token is
 * the credential (no bearer header, so a browser can follow the link); the permission of the
 * user it was issued to is checked again, and the export is read from the database page by
 * page and written to the reply as it goes. A token this API did not issue, or an edited one,
 * is 400; an expired one 410; the body never says more than that.
 */

export interface ExportDownloadOptions {
  config: Config;
  database: Database;
  policies: PolicySet;
  cursors: CursorCodec;
  links: ExportLinks;
}

/** The path as logs may show it: the token is a credential. */
export function exportLoggedPath(path: string): string {
  return path.startsWith(`${EXPORTS_PATH}/`) ? `${EXPORTS_PATH}/[token]` : path;
}

const NO_STORE = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-robots-tag": "noindex, nofollow",
};

export async function exportDownloads(app: FastifyInstance, opts: ExportDownloadOptions): Promise<void> {
  const { config, database, policies, cursors, links } = opts;

  // A wildcard, not a parameter: a token of any shape reaches the handler and gets its 400.
  app.get(`${EXPORTS_PATH}/*`, async (request: FastifyRequest, reply) => {
    const db = database.handle(request.metrics);
    const retryAfter = await anonymousRetryAfter(db, request.ip, config.rateLimitAnonymousPerMinute);
    if (retryAfter !== undefined) {
      return reply.code(429).headers(NO_STORE).header("retry-after", String(retryAfter)).send({ error: "Too many requests; retry later." });
    }
    const token = (request.params as { "*": string })["*"];
    const download = await exportService.download({ db, policies, cursors, settings: config, links }, token, { ip: request.ip });
    if (!download.ok) return reply.code(download.status).headers(NO_STORE).send({ error: download.message });
    return reply
      .code(200)
      .headers(NO_STORE)
      .header("content-type", download.mediaType)
      .header("content-disposition", `attachment; filename="${download.filename}"`)
      .send(Readable.from(download.chunks, { objectMode: false }));
  });
}
