import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import type { contacts } from "../../db/schema/index.js";
import { Connection } from "../../graphql/pagination.js";
import { Guard, Structure } from "../../graphql/guard.js";
import { DateTime, EmailAddress, PhoneNumber } from "../../graphql/scalars.js";
import { ConsentState } from "../consent/consent.subject.js";

/** A contact as the API loads it: every column but the hidden former addresses. */
export type ContactRow = Omit<typeof contacts.$inferSelect, "formerEmails">;
export { ConsentState };

registerEnumType(ConsentState, {
  name: "ConsentState",
  description: "A person's consent for one purpose.",
  valuesConfig: {
    GRANTED: { description: "The person gave consent and has not withdrawn it." },
    WITHDRAWN: { description: "The person withdrew consent." },
    NONE: { description: "Never asked: no consent on record." },
  },
});

@Structure()
@ObjectType({ description: "The person's current consent for one consent-based purpose." })
export class ContactConsent {
  @Field(() => String, { description: "Purpose id (lawful basis consent), e.g. marketing_email." })
  purpose!: string;

  @Field(() => ConsentState, { description: "GRANTED, WITHDRAWN, or NONE when never asked." })
  state!: ConsentState;

  @Field(() => DateTime, { nullable: true, description: "When the state last changed (from the consent ledger)." })
  updatedAt!: Date | null;
}

@Guard("read", "Contact")
@ObjectType({ description: "A person in the CRM. Personal fields are null where the role may not read them." })
export class Contact {
  @Field(() => ID, { description: "Contact id." })
  id!: string;

  @Field(() => String, { nullable: true, description: "Given name (personal data)." })
  firstName!: string | null;

  @Field(() => String, { nullable: true, description: "Family name (personal data)." })
  lastName!: string | null;

  @Field(() => EmailAddress, { nullable: true, description: "Email address (personal data)." })
  email!: string | null;

  @Field(() => PhoneNumber, { nullable: true, description: "Phone number in E.164 form, e.g. +33612345678 (personal data)." })
  phone!: string | null;

  @Field(() => String, { nullable: true, description: "Position at the company (personal data)." })
  position!: string | null;

  @Field(() => Boolean, { description: "True while processing is restricted (GDPR Art. 18)." })
  processingRestricted!: boolean;

  @Field(() => DateTime, { description: "When the contact was created." })
  createdAt!: Date;

  @Field(() => DateTime, { description: "When the contact last changed." })
  updatedAt!: Date;
}

export const ContactConnection = Connection(Contact, "Contact");
