import type { AppContext } from "../../graphql/context.js";
import { byIdLoader } from "../common/loaders.js";
import { userSpec, workspaceSpec } from "./user.repository.js";

export const userById = (ctx: AppContext) => byIdLoader(ctx, userSpec);
export const workspaceById = (ctx: AppContext) => byIdLoader(ctx, workspaceSpec);
