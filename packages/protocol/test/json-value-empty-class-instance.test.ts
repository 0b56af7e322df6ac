// An outside review found: the JSON value rule (228d667) now refuses every class instance that has
// no own enumerable keys, to catch an Error, a RegExp or a Promise JSON would write as {}. But a
// class instance that holds nothing, or whose optional fields were never set, is written as {}
// exactly: nothing is lost. Such values were sent before the change and are refused now:
//
//   class Filters { tag?: string; constructor(tag?: string) { if (tag) this.tag = tag; } }
//   channel.publish('search', { filters: new Filters() })   // before: sent { filters: {} }
//                                                            // now: invalid_argument "holds an
//                                                            //   instance of Filters, which JSON
//                                                            //   cannot carry"
//
// This is the common shape of TypeScript DTO classes compiled without useDefineForClassFields
// (targets before ES2022, experimentalDecorators: NestJS, Angular, class-transformer's
// plainToInstance(Filters, {})): a declared field that was not assigned is no own property. The
// message is also untrue ("JSON cannot carry" a value JSON carries in full). A regression:
// legitimate data that used to be sent is now refused. The same Filters with tag set passes,
// so the same code works or fails depending on the user's input.
import { describe, expect, it } from 'vitest';
import { presenceDataProblem, publishProblem } from '../src/index.js';

class Filters {
  // `declare`: no field emitted, as TypeScript does for `tag?: string` without useDefineForClassFields.
  declare tag?: string;
  constructor(tag?: string) {
    if (tag !== undefined) this.tag = tag;
  }
}
// What TypeScript emits for `class Filters { tag?: string }` without useDefineForClassFields.
const LegacyDto = function LegacyDto(this: object) {} as unknown as new () => object;
class Marker {}

describe('a class instance that holds nothing is written as {} exactly, and is sent as before', () => {
  it('control: the same class with its field set passes', () => {
    expect(publishProblem('search', 'query', { filters: new Filters('news') })).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['a class instance whose optional field is unset', new Filters()],
    ['an instance of a class compiled without define semantics', new LegacyDto()],
    ['an instance of an empty marker class', new Marker()],
  ])('%s nested in publish and presence data', (_what, value) => {
    // JSON keeps all of it: there is nothing to lose.
    expect(JSON.parse(JSON.stringify({ filters: value }))).toEqual({ filters: {} });
    expect(publishProblem('search', 'query', { filters: value })).toBeUndefined();
    expect(presenceDataProblem('room', { filters: value })).toBeUndefined();
  });
});
