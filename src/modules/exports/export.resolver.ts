import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Authenticated, Guard } from "../../graphql/guard.js";
import type { ExportFormat as Format } from "./export.render.js";
import { exportService } from "./export.service.js";
import { DataExport, ExportFormat } from "./export.type.js";

@Resolver()
export class ExportResolver {
  @Guard("export", "Contact")
  @Mutation(() => DataExport, {
    description:
      "Exports every piece of personal data about one person (contact, company link, deals, interactions, consent history with its proof, restrictions and objections, privacy requests, breach notices) with the Art. 15 information taken from the policies. Privacy action `export`; the person is found under legal_compliance whatever the request's purpose. Audited (counts and size, never content).",
  })
  exportContactData(
    @Arg("contactId", () => ID, { description: "The person (contact id)." }) contactId: string,
    @Arg("format", () => ExportFormat, { description: "JSON or CSV." }) format: Format,
    @Arg("requestId", () => ID, { nullable: true, description: "The ACCESS or PORTABILITY privacy request this export answers, if any; linked to it." })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return exportService.exportContact(ctx, ctx.exports, contactId, format, requestId);
  }

  @Authenticated()
  @Mutation(() => DataExport, {
    description:
      "The signed-in user's own account data: profile, sessions (never their tokens), usage events, own consents with their proof, policy notices and acknowledgements, breach notices and privacy requests about them, with the Art. 15 information for the purposes that process account holders' data. Audited.",
  })
  exportMyData(@Arg("format", () => ExportFormat, { description: "JSON or CSV." }) format: Format, @Ctx() ctx: AppContext) {
    return exportService.exportMine(ctx, ctx.exports, format);
  }
}
