import { Field, ID, ObjectType } from "type-graphql";
import type { companies } from "../../db/schema/index.js";
import { Connection } from "../../graphql/pagination.js";
import { Guard } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";

export type CompanyRow = typeof companies.$inferSelect;

@Guard("read", "Company")
@ObjectType({ description: "An organisation the workspace does business with." })
export class Company {
  @Field(() => ID, { description: "Company id." })
  id!: string;

  @Field(() => String, { description: "Company name." })
  name!: string;

  @Field(() => String, { nullable: true, description: "Web domain, e.g. acme.test." })
  domain!: string | null;

  @Field(() => String, { nullable: true, description: "Industry." })
  industry!: string | null;

  @Field(() => DateTime, { description: "When the company was created." })
  createdAt!: Date;

  @Field(() => DateTime, { description: "When the company last changed." })
  updatedAt!: Date;
}

export const CompanyConnection = Connection(Company, "Company");
