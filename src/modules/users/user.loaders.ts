import { byIdLoader } from "../common/loaders.js";
import type { Scope } from "../common/scope.js";
import type { WorkspaceRow } from "../workspaces/workspace.repository.js";
import type { UserRow } from "./user.type.js";

export const userById = (ctx: Scope) => byIdLoader<UserRow>(ctx, "User");
export const workspaceById = (ctx: Scope) => byIdLoader<WorkspaceRow>(ctx, "Workspace");
