import DataLoader from "dataloader";
import { buildAbility, buildRightsAbility, type AppAbility, type Principal } from "../authz/ability.js";
import type { PolicySet, Purpose } from "../authz/policy-loader.js";
import type { Config } from "../config.js";
import type { Db, QueryMetrics } from "../db/client.js";
import type { AppError } from "./errors.js";

export interface MaskedField {
  type: string;
  field: string;
  rule: string;
  reason: string;
}

/** Everything a resolver may use; built once per request. */
export class AppContext {
  readonly loaders = new Map<string, DataLoader<unknown, unknown>>();
  /** Fields nulled by a field mask: one FORBIDDEN error each, added to the response. */
  readonly masked = new Map<string, MaskedField>();
  ability: AppAbility;
  private rights?: AppAbility;
  private readonly rowAbilities = new WeakMap<object, AppAbility>();

  constructor(
    readonly db: Db,
    readonly metrics: QueryMetrics,
    readonly policies: PolicySet,
    readonly config: Config,
    readonly request: { ip: string; userAgent?: string; token?: string; failure?: AppError; invalid?: AppError; principal?: Principal },
    public principal: Principal | undefined,
    public purpose: Purpose | undefined,
  ) {
    this.ability = buildAbility(policies, principal ?? anonymous, purpose?.id ?? "");
  }

  /** After `login`: the rest of this response is read as the new principal. */
  adopt(principal: Principal, purpose: Purpose): void {
    this.principal = principal;
    this.purpose = purpose;
    this.ability = buildAbility(this.policies, principal, purpose.id);
    this.rights = undefined;
    this.loaders.clear();
  }

  /** The ability privacy-rights operations use: legal_compliance whatever the request's purpose. */
  get rightsAbility(): AppAbility {
    this.rights ??= buildRightsAbility(this.policies, this.principal ?? anonymous);
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
const anonymous: Principal = { kind: "user", userId: "", workspaceId: "", role: "", email: "", name: "" };
