import type { Principal } from "../authz/ability.js";
import type { PolicySet, Purpose } from "../authz/policy-loader.js";
import type { Config } from "../config.js";
import type { Db, QueryMetrics } from "../db/client.js";
import type { DomainError } from "../errors.js";
import type { FieldMasks } from "./guard.js";
import type { CursorCodec } from "../modules/common/cursor.js";
import { Scope, type ClientInfo } from "../modules/common/scope.js";
import type { UnsubscribeLinks } from "../modules/unsubscribe/unsubscribe.token.js";
import type { ExportLinks } from "../modules/exports/export.token.js";

export interface MaskedField {
  type: string;
  field: string;
  /** Where it was first masked, so a client can place the error (`["contacts", "nodes", 0, "phone"]`). */
  path: ReadonlyArray<string | number>;
  rule: string;
  reason: string;
}

/** A request as GraphQL sees it: the domain's scope, plus what the transport needs. */
export class AppContext extends Scope {
  /** Fields nulled by a field mask: one FORBIDDEN error each, added to the response. */
  readonly masked = new Map<string, MaskedField>();
  /** Each row's field mask, decided once per ability and row (src/graphql/guard.ts). */
  readonly fieldMasks: FieldMasks = new WeakMap();

  constructor(
    db: Db,
    readonly metrics: QueryMetrics,
    policies: PolicySet,
    readonly config: Config,
    readonly request: ClientInfo & { failure?: DomainError; invalid?: DomainError; principal?: Principal },
    principal: Principal | undefined,
    purpose: Purpose | undefined,
    cursors: CursorCodec,
    /** Seals one-click unsubscribe links (PUBLIC_URL, a key derived from the signing secret). */
    readonly links: UnsubscribeLinks,
    /** Seals the download links of large exports (PUBLIC_URL, a key derived from the signing secret). */
    readonly exports: ExportLinks,
  ) {
    super(db, policies, config, request, principal, purpose, cursors);
  }
}
