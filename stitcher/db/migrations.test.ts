import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate } from './migrations';

describe('migrate', () => {
  it('applies every migration once and records it', () => {
    const db = new Database(':memory:');
    expect(migrate(db, 0)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db, 0)).toEqual([]);
    const rows = db.prepare('SELECT version, name FROM schema_migrations').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    db.close();
  });

  it('applies only the new ones to an older database', () => {
    const db = new Database(':memory:');
    migrate(db, 0);
    const next = [
      ...MIGRATIONS,
      { version: 99, name: 'add a column', sql: 'ALTER TABLE cards ADD COLUMN brand TEXT' },
    ];
    expect(migrate(db, 0, next)).toEqual([99]);
    expect(
      db.prepare("SELECT count(*) FROM pragma_table_info('cards') WHERE name = 'brand'").pluck().get(),
    ).toBe(1);
    db.close();
  });

  it('rolls a failing migration back entirely and leaves it unrecorded', () => {
    const db = new Database(':memory:');
    migrate(db, 0);
    const broken = [
      ...MIGRATIONS,
      { version: 4, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM missing_table;' },
    ];
    expect(() => migrate(db, 0, broken)).toThrow(/missing_table/);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(3);
    db.close();
  });

  it('refuses a database written by newer code', () => {
    const db = new Database(':memory:');
    migrate(db, 0, [...MIGRATIONS, { version: 7, name: 'future', sql: 'SELECT 1' }]);
    expect(() => migrate(db, 0)).toThrow(/schema version 7, newer than this code \(3\)/);
    db.close();
  });
});
