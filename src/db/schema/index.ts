export * from "./workspace.js";
export * from "./crm.js";
export * from "./privacy.js";
export * from "./limits.js";
export * from "./secrets.js";
export * from "./holds.js";
export * from "./policy-versions.js";
