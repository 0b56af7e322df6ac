// docs/connection-states.md shows the state table for people: it must be the table the engine runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRANSITIONS } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/connection-states.md', import.meta.url), 'utf8');

describe('docs/connection-states.md', () => {
  it('lists exactly the transitions of TRANSITIONS, in order', () => {
    const block = doc.split('<!-- transitions:start -->')[1]!.split('<!-- transitions:end -->')[0]!;
    const rows = block
      .trim()
      .split('\n')
      .slice(2)
      .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim().replace(/`/g, '')));
    const expected = Object.entries(TRANSITIONS).flatMap(([state, events]) =>
      Object.entries(events).map(([event, row]) => {
        const [next, ...effects] = row.split(' ');
        return [state, event, next, effects.join(', ')];
      }),
    );
    expect(rows).toEqual(expected);
  });

  it('describes every state, event and effect', () => {
    const states = Object.keys(TRANSITIONS);
    const events = new Set(Object.values(TRANSITIONS).flatMap((row) => Object.keys(row)));
    const effects = new Set(Object.values(TRANSITIONS).flatMap((row) => Object.values(row).flatMap((transition) => transition.split(' ').slice(1))));
    for (const name of [...states, ...events, ...effects]) expect(doc).toContain(`| \`${name}\` |`);
  });
});
