import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.js';

const envExample = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Variable names in the README's settings table: rows whose first cell is a `VARIABLE`. */
function readmeTableVariables(): Set<string> {
  const names = new Set<string>();
  for (const line of readme.split('\n')) {
    const match = /^\|\s*`([A-Z][A-Z0-9_]+)`/.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

describe('settings documentation', () => {
  const exampleNames = new Set([...envExample.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
  const tableNames = readmeTableVariables();

  it.each([...CONFIG_VARIABLES])('%s is in .env.example and in the README settings table', (name) => {
    expect(exampleNames.has(name), `.env.example lacks ${name}`).toBe(true);
    expect(tableNames.has(name), `README table lacks ${name}`).toBe(true);
  });

  it('documents no variable that the code does not read', () => {
    const read = new Set<string>(CONFIG_VARIABLES);
    expect([...exampleNames].filter((n) => !read.has(n))).toEqual([]);
    expect([...tableNames].filter((n) => !read.has(n))).toEqual([]);
  });
});
