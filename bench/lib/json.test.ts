import { describe, expect, it } from 'vitest';
import { firstJsonObject } from './json';

describe('firstJsonObject', () => {
  it('reads the JSON document a suite prints before its readable table', () => {
    const output = `${JSON.stringify({ benchmark: 'x', nested: { list: [1, { a: 2 }] } }, null, 2)}\n\n  | a | b |\n{not json}`;
    expect(firstJsonObject(output)).toEqual({ benchmark: 'x', nested: { list: [1, { a: 2 }] } });
  });

  it('is not thrown off by braces and escaped quotes inside strings', () => {
    const value = { text: 'a } b { "quoted" \\ end', after: true };
    expect(firstJsonObject(`progress line\n${JSON.stringify(value)}`)).toEqual(value);
  });

  it('says so when there is no object or it is cut off', () => {
    expect(() => firstJsonObject('no json here')).toThrow('no JSON object');
    expect(() => firstJsonObject('{"a": [1, 2')).toThrow('incomplete');
  });
});
