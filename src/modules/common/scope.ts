import DataLoader from "dataloader";
import { buildRightsAbility, cachedAbility, SYSTEM_ROLE, type AppAbility, type Principal } from "../../authz/ability.js";
import type { PolicySet, Purpose } from "../../authz/policy-loader.js";
import type { Db } from "../../db/client.js";
import type { ErasureJournal } from "../erasure/erasure.journal.js";
import type { CursorCodec } from "./cursor.js";

/** What a request knows of its client (never used to decide access). */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
  token?: string;
  /** The client's country (ISO 3166-1 alpha-2) when a trusted proxy states it (GEO_COUNTRY_HEADER). */
  location?: string | null;
  /** The session the request was made under, so its usage events link to that login. */
  sessionId?: string;
}

/** Settings the domain needs; the rest of the configuration stays with the transport. */
export interface ScopeSettings {
  sessionTtlHours: number;
  /** Webhook URLs: HTTPS and public addresses only, unless said otherwise (unset: strict). */
  production?: boolean;
  webhookAllowPrivateTargets?: boolean;
  /** `totalCount` counts at most this many rows (COUNT_CAP; unset: DEFAULT_COUNT_CAP). */
  countCap?: number;
}

/**
 * Everything a service may use: who acts, under which purpose, with which abilities, on which
 * database. GraphQL builds one per request (its context extends this class); jobs, the
 * unsubscribe page and command-line tools build one for the system principal.
 */
export class Scope {
  readonly loaders = new Map<string, DataLoader<unknown, unknown>>();
  ability: AppAbility;
  private rights?: AppAbility;
  private readonly rowAbilities = new WeakMap<object, AppAbility>();
  /** Where erasures are journalled before they commit (set by the server and the replay tool); none means erasure is refused. */
  erasureJournal?: ErasureJournal;

  constructor(
    readonly db: Db,
    readonly policies: PolicySet,
    readonly settings: ScopeSettings,
    readonly client: ClientInfo,
    public principal: Principal | undefined,
    public purpose: Purpose | undefined,
    /** Seals page cursors; one key for every process (SIGNING_SECRET or the stored one). */
    readonly cursors: CursorCodec,
  ) {
    this.ability = cachedAbility(policies, principal ?? ANONYMOUS, purpose?.id ?? "");
  }

  get registry() {
    return this.policies.registry;
  }

  /** After `login`: the rest of this request acts as the new principal. */
  adopt(principal: Principal, purpose: Purpose): void {
    this.principal = principal;
    this.purpose = purpose;
    this.ability = cachedAbility(this.policies, principal, purpose.id);
    this.rights = undefined;
    this.loaders.clear();
  }

  /** The ability privacy-rights operations use: legal_compliance whatever the request's purpose. */
  get rightsAbility(): AppAbility {
    this.rights ??= buildRightsAbility(this.policies, this.principal ?? ANONYMOUS);
    return this.rights;
  }

  /**
   * Rows returned by a privacy-rights operation are shown under the ability that found them
   * (legal_compliance): a contact whose consent was just withdrawn is still the answer.
   */
  showWith<T extends object>(row: T, ability: AppAbility): T {
    this.rowAbilities.set(row, ability);
    return row;
  }

  abilityFor(row: object): AppAbility {
    return this.rowAbilities.get(row) ?? this.ability;
  }

  /** A per-request DataLoader, made on first use. */
  loader<K, V>(key: string, make: () => DataLoader<K, V>): DataLoader<K, V> {
    let found = this.loaders.get(key);
    if (!found) {
      found = make() as DataLoader<unknown, unknown>;
      this.loaders.set(key, found);
    }
    return found as DataLoader<K, V>;
  }
}

// No principal means no role, and no role means an empty ability (everything denied).
const ANONYMOUS: Principal = { kind: "user", userId: "", workspaceId: "", role: "", email: "", name: "" };

/**
 * Work done by nobody in particular (jobs, the unsubscribe page, command-line tools) acts as
 * the system principal of one workspace, under policies/roles/system.yaml like any role.
 */
export function systemScope(
  deps: { db: Db; policies: PolicySet; cursors: CursorCodec; settings: ScopeSettings; erasureJournal?: ErasureJournal },
  workspaceId: string,
  purposeId: string,
): Scope {
  const principal: Principal = { kind: "system", userId: "", workspaceId, role: SYSTEM_ROLE, email: "", name: "Alpha CRM (system)" };
  const scope = new Scope(deps.db, deps.policies, deps.settings, { ip: "127.0.0.1" }, principal, deps.policies.purposes.get(purposeId), deps.cursors);
  scope.erasureJournal = deps.erasureJournal;
  return scope;
}
