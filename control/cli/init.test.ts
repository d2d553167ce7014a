import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INIT_FILES, INIT_SCRIPT, initProject } from './init';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function project(manifest: object | string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'stitch-init-'));
  dirs.push(dir);
  if (manifest !== undefined)
    writeFileSync(
      join(dir, 'package.json'),
      typeof manifest === 'string' ? manifest : `${JSON.stringify(manifest, null, 4)}\n`,
    );
  return dir;
}

function init(dir: string) {
  let out = '';
  let err = '';
  const code = initProject(
    dir,
    { write: (text: string) => (out += text) },
    { write: (text: string) => (err += text) },
  );
  return { code, out, err };
}

const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown> & {
    scripts?: Record<string, string>;
  };

describe('stitch-sandbox init', () => {
  it('writes the vitest config, global setup and example test, and adds the npm script', () => {
    const dir = project({
      name: 'bank-app',
      scripts: { test: 'vitest run' },
      devDependencies: { vitest: '^4' },
    });
    const result = init(dir);
    expect(result.code).toBe(0);
    for (const [path, contents] of Object.entries(INIT_FILES)) {
      expect(readFileSync(join(dir, path), 'utf8')).toBe(contents);
      expect(result.out).toContain(`wrote ${path}`);
    }
    const manifest = manifestOf(dir);
    expect(manifest.scripts).toEqual({
      test: 'vitest run',
      [INIT_SCRIPT]: 'vitest run --config vitest.sandbox.config.ts',
    });
    expect(manifest['name']).toBe('bank-app');
    // The file keeps its four-space indentation.
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toMatch(/^ {4}"name"/m);
    expect(result.out).not.toContain('npm install --save-dev vitest');
    expect(result.out).toContain(`npm run ${INIT_SCRIPT}`);
  });

  it('never overwrites: existing files and an existing script are left as they are', () => {
    const dir = project({ name: 'bank-app', scripts: { [INIT_SCRIPT]: 'my own command' } });
    mkdirSync(join(dir, 'test', 'sandbox'), { recursive: true });
    writeFileSync(join(dir, 'test', 'sandbox', 'example.test.ts'), '// mine\n');
    const result = init(dir);
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'test', 'sandbox', 'example.test.ts'), 'utf8')).toBe('// mine\n');
    expect(result.out).toContain('exists, left alone: test/sandbox/example.test.ts');
    expect(existsSync(join(dir, 'test', 'sandbox', 'global-setup.ts'))).toBe(true);
    expect(manifestOf(dir).scripts).toEqual({ [INIT_SCRIPT]: 'my own command' });
    expect(result.out).toContain(`exists, left alone: the "${INIT_SCRIPT}" script`);
    // No vitest yet: say how to get it.
    expect(result.out).toContain('npm install --save-dev vitest');
  });

  it('run twice, changes nothing the second time', () => {
    const dir = project({ name: 'bank-app' });
    expect(init(dir).code).toBe(0);
    const before = readFileSync(join(dir, 'package.json'), 'utf8');
    const again = init(dir);
    expect(again.code).toBe(0);
    expect(again.out).not.toContain('wrote');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(before);
  });

  it('refuses a folder without package.json, or with a broken one, writing nothing', () => {
    const none = project(undefined);
    const missing = init(none);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no package\.json in .*; run it at your project's root/);
    expect(existsSync(join(none, 'vitest.sandbox.config.ts'))).toBe(false);

    const broken = project('{"name": ');
    const invalid = init(broken);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/package\.json is not valid JSON/);
    expect(existsSync(join(broken, 'vitest.sandbox.config.ts'))).toBe(false);
  });
});
