import type { Scope } from "../common/scope.js";
import { byIdLoader } from "../common/loaders.js";
import type { CompanyRow } from "./company.type.js";

export const companyById = (ctx: Scope) => byIdLoader<CompanyRow>(ctx, "Company");
