import Database from 'better-sqlite3';
import { migrate } from './migrations';

const isMemory = (path: string) => path === ':memory:' || path === '' || path.startsWith('file::memory:');

/**
 * Opens (or creates) the stitcher's SQLite database and brings its schema up to date.
 * File databases use WAL (readers never block the webhook writer) with synchronous=FULL, so a
 * webhook acknowledged with 200 is on disk even if the machine loses power right after.
 */
export function openDatabase(path: string, nowMs: number): Database.Database {
  const db = new Database(path);
  try {
    if (!isMemory(path)) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, nowMs);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
