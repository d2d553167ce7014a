import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The README's "Project layout" names every top-level folder of the repository and nothing that is
 * not there. Folders git ignores (node_modules/, dist/, test-artifacts/) are generated, not layout.
 */

const root = fileURLToPath(new URL('..', import.meta.url));

/** The entries of the layout block: the first word of each line (`core/`, `Containerfile`). */
function layoutEntries(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split('\n## Project layout\n')[1];
  if (section === undefined) throw new Error('README.md has no "## Project layout" section');
  const block = /```\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined) throw new Error('the layout section has no code block');
  return block.split('\n').map((line) => line.split(/\s+/)[0]!);
}

/** Folder names .gitignore ignores at the top level (`node_modules/`, `dist/`, ...). */
function ignoredFolders(): Set<string> {
  return new Set(
    readFileSync(join(root, '.gitignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[\w.-]+\/$/.test(line))
      .map((line) => line.slice(0, -1)),
  );
}

describe('README project layout', () => {
  it('lists exactly the top-level folders, and every entry exists', () => {
    const entries = layoutEntries();
    const ignored = ignoredFolders();
    expect([...ignored].sort()).toEqual(['dist', 'node_modules', 'test-artifacts']);
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== '.git' && !ignored.has(entry.name))
      .map((entry) => `${entry.name}/`);
    expect(entries.filter((entry) => entry.endsWith('/')).sort()).toEqual(folders.sort());
    for (const entry of entries) expect(existsSync(join(root, entry)), entry).toBe(true);
  });
});
