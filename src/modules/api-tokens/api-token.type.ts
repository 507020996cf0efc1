import { Field, ID, ObjectType } from "type-graphql";
import { Guard, Structure } from "../../graphql/guard.js";
import { Connection } from "../../graphql/pagination.js";
import { DateTime } from "../../graphql/scalars.js";

/** A stored API token as the API shows it: never the secret. */
export interface ApiTokenRow {
  id: string;
  workspaceId: string;
  userId: string;
  name: string;
  scopes: string[];
  purposes: string[];
  defaultPurpose: string;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

@Guard("read", "ApiToken")
@ObjectType({ description: "An API token: acts as the user who made it, narrowed by its scopes and purposes. The secret is shown once, at creation." })
export class ApiToken {
  @Field(() => ID, { description: "Token id (not the secret)." })
  id!: string;

  @Field(() => String, { description: "A label chosen by its creator (the integration it serves)." })
  name!: string;

  @Field(() => [String], { description: "What the token may do: `contacts:read`, `deals:write`, `consents:withdraw`..." })
  scopes!: string[];

  @Field(() => [String], { description: "The purposes the token may act under (X-Processing-Purpose)." })
  purposes!: string[];

  @Field(() => String, { description: "The purpose it acts under when a request names none." })
  defaultPurpose!: string;

  @Field(() => DateTime, { description: "When the token stops working." })
  expiresAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "When the token was last used (kept to the minute: written at most once a minute)." })
  lastUsedAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When the token was revoked; null while it works." })
  revokedAt!: Date | null;

  @Field(() => DateTime, { description: "When the token was made." })
  createdAt!: Date;
}

export const ApiTokenConnection = Connection(ApiToken, "ApiToken");

@Structure()
@ObjectType({ description: "A new API token: `token` is shown this once and never again." })
export class CreatedApiToken {
  @Field(() => String, { description: "The secret to send as `Authorization: Bearer <token>`; store it now, it is not kept." })
  token!: string;

  @Field(() => ApiToken, { description: "The stored token." })
  apiToken!: ApiTokenRow;
}
