import { Field, ID, Int, ObjectType } from "type-graphql";
import { closedSetEnum } from "../../graphql/enums.js";
import { Structure } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";
import type { ExportFormat as Format } from "./export.render.js";

export const ExportFormat = closedSetEnum<Format>("ExportFormat", "The format of a data export.", {
  json: "One JSON document: the Art. 15 information, then one key per table.",
  csv: "RFC 4180 CSV, UTF-8 with a byte-order mark: one section per table, each with its own header row; cells a spreadsheet would run as formulas are escaped.",
});

@Structure()
@ObjectType({
  description:
    "A copy of a person's data with the Art. 15 information (purposes, lawful bases, recipients and transfer safeguards, retention periods, source, rights). Small exports come in `content`; larger ones as a `downloadUrl` that streams them.",
})
export class DataExport {
  @Field(() => ID, { description: "The export's id, as the decision log and a linked privacy request name it." })
  id!: string;

  @Field(() => ExportFormat, { description: "JSON or CSV." })
  format!: Format;

  @Field(() => Int, { description: "Size of the export in bytes (UTF-8), as it was when exported." })
  sizeBytes!: number;

  @Field(() => String, { nullable: true, description: "The export itself, when it is at most 256 KiB; null when `downloadUrl` is given." })
  content!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "For larger exports: an absolute, signed link (PUBLIC_URL + /exports/<token>) that streams the export; it works until `expiresAt`, without a bearer token, and checks the requester's permission again. Null for inline exports.",
  })
  downloadUrl!: string | null;

  @Field(() => DateTime, { nullable: true, description: "When `downloadUrl` stops working (15 minutes after the export); null for inline exports." })
  expiresAt!: Date | null;
}
