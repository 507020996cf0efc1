import type { AppContext } from "../../graphql/context.js";
import { byIdLoader } from "../common/loaders.js";
import { companySpec } from "./company.repository.js";

export const companyById = (ctx: AppContext) => byIdLoader(ctx, companySpec);
