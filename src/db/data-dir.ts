import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { StartError } from "../start-error.js";

/** Holds the pid of the process that owns a PGlite folder; PGlite itself has no such guard. */
export const LOCK_FILE = "alpha-api.pid";
/** PostgreSQL writes it first in every data folder: its absence means "not a database". */
const DATABASE_MARKER = "PG_VERSION";

export interface DataDirLock {
  path: string;
  /** No database yet: the first open creates one (initdb, the slow part of a first start). */
  fresh: boolean;
  release(): void;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? "unknown error";
}

/** Creates DATA_DIR when missing (owner-only) and refuses a path that is not a folder. */
function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StartError(`DATA_DIR=${dir} cannot be created (${errorCode(error)}): create it yourself or point DATA_DIR at a writable folder`);
  }
  if (!statSync(dir).isDirectory()) throw new StartError(`DATA_DIR=${dir} is not a folder: point DATA_DIR at a folder`);
  try {
    // It holds password hashes and personal data: nobody but the owner may even list it.
    chmodSync(dir, 0o700);
  } catch (error) {
    throw new StartError(`DATA_DIR=${dir} cannot be made private to its owner (${errorCode(error)}): run as the folder's owner`);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the folder.
    return errorCode(error) === "EPERM";
  }
}

function holderOf(lockPath: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockPath, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes DATA_DIR for this process: a lock file created exclusively with our pid. A lock left
 * by a process that is gone (killed, crashed) is stale and taken over. Two processes writing
 * one PGlite folder would lose writes silently, so the second start stops here.
 */
function lock(dir: string): Omit<DataDirLock, "fresh"> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let held = true;
      return {
        path,
        release() {
          if (!held) return;
          held = false;
          if (holderOf(path) === process.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if (errorCode(error) !== "EEXIST")
        throw new StartError(`DATA_DIR=${dir} is not writable (${errorCode(error)}): run as the folder's owner or point DATA_DIR elsewhere`);
      const pid = holderOf(path);
      if (pid !== undefined && pid !== process.pid && isRunning(pid)) {
        throw new StartError(`DATA_DIR=${dir} is in use by process ${pid}: stop that process, or give this one another DATA_DIR`);
      }
      unlinkSync(path);
    }
  }
  throw new StartError(`DATA_DIR=${dir} is being taken by another process at the same moment: start one process per DATA_DIR`);
}

/** A non-empty folder without a database would be mixed with one: refuse it. Returns "empty". */
function ensureDatabaseOrEmpty(dir: string): boolean {
  const entries = readdirSync(dir).filter((name) => name !== LOCK_FILE);
  if (entries.length > 0 && !entries.includes(DATABASE_MARKER)) {
    throw new StartError(`DATA_DIR=${dir} is not empty and holds no database: point DATA_DIR at an empty or new folder, or at this API's data folder`);
  }
  return entries.length === 0;
}

/** Prepares a PGlite folder before it is opened: created private, checked, and locked. */
export function takeDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  ensureFolder(dir);
  const held = lock(dir);
  try {
    return { ...held, fresh: ensureDatabaseOrEmpty(dir) };
  } catch (error) {
    held.release();
    throw error;
  }
}

/**
 * Removes group and other permissions from everything under `dir`. PGlite's file system layer
 * sets modes itself (0666), so the umask alone does not keep new files private; the folder's
 * own 0700 already keeps everyone else out, this keeps each file private as well.
 */
export function makePrivate(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    try {
      const mode = lstatSync(path).mode & 0o777;
      if (mode & 0o077) chmodSync(path, mode & 0o700);
      if (entry.isDirectory()) makePrivate(path);
    } catch (error) {
      // The database may remove a file while we walk; anything else is a real problem.
      if (errorCode(error) !== "ENOENT") throw error;
    }
  }
}
