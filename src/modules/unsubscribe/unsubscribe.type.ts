import { Field, ObjectType } from "type-graphql";
import { Structure } from "../../graphql/guard.js";

@Structure()
@ObjectType({ description: "What a marketing message carries so that the person can unsubscribe in one click (RFC 2369, RFC 8058)." })
export class UnsubscribeHeaders {
  @Field(() => String, { description: "The absolute link of the unsubscribe page (PUBLIC_URL + /privacy/unsubscribe/<token>); also for the message body." })
  url!: string;

  @Field(() => String, { description: "The value of the List-Unsubscribe header: the link in angle brackets." })
  listUnsubscribe!: string;

  @Field(() => String, { description: "The value of the List-Unsubscribe-Post header: List-Unsubscribe=One-Click." })
  listUnsubscribePost!: string;
}
