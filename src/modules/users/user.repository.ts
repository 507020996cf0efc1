import { getTableColumns } from "drizzle-orm";
import { users, workspaces } from "../../db/schema/index.js";
import type { EntitySpec } from "../common/entity-store.js";
import type { UserRow, WorkspaceRow } from "./user.type.js";

const { passwordHash: _never, ...userColumns } = getTableColumns(users);

export const userSpec: EntitySpec<UserRow> = {
  subject: "User",
  table: users,
  id: users.id,
  columns: userColumns,
  orders: { CREATED_AT: { column: users.createdAt, key: "createdAt" } },
};

export const workspaceSpec: EntitySpec<WorkspaceRow> = {
  subject: "Workspace",
  table: workspaces,
  id: workspaces.id,
  orders: { CREATED_AT: { column: workspaces.createdAt, key: "createdAt" } },
};
