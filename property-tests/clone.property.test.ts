// structuredClone: true is a faithful structured clone (issue 14): for
// arbitrary values Node's structuredClone accepts, unpack(pack(v)) equals
// structuredClone(v) down to prototypes, property order, holes, -0, Error
// fields and the sharing of objects and buffers; every value structuredClone
// refuses is refused by pack with ERR_DATA_CLONE naming its path.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Blosc2Error, Packer, pack, unpack } from '../src/index';
import { cloneDiff } from '../test/support/clone-compare';
import { NON_CLONEABLE, cloneableValue } from '../test/support/clone-values';

const sc = new Packer({ structuredClone: true });
const scFramed = new Packer({ structuredClone: true, threshold: 0 });

function structuredCloneOrSkip(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch (err) {
    // V8 cannot read back some cycles through an Error's cause ("Unable to
    // deserialize cloned data"): values it does not clone are not compared.
    fc.pre(!(err instanceof Error && /deserialize/.test(err.message)));
    throw err;
  }
}

describe('structuredClone: true against structuredClone', () => {
  it('property: unpack(pack(v)) is structuredClone(v), sharing and cycles included', () => {
    fc.assert(
      fc.property(cloneableValue(), fc.boolean(), (value, framed) => {
        const expected = structuredCloneOrSkip(value);
        const packer = framed ? scFramed : sc;
        const back = packer.unpack(packer.pack(value));
        const d = cloneDiff(back, expected);
        if (d) throw new Error(d);
        // The module functions read it without being told it is a structuredClone message.
        expect(cloneDiff(unpack(pack(value, { structuredClone: true })), expected)).toBe('');
      }),
      { numRuns: 400 },
    );
  });

  it('property: a value structuredClone refuses, anywhere in a value, is ERR_DATA_CLONE naming its path', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NON_CLONEABLE),
        fc.array(fc.oneof(fc.constantFrom('a', 'b b', '0'), fc.nat(3)), { maxLength: 4 }),
        fc.constantFrom<'object' | 'map' | 'set'>('object', 'map', 'set'),
        ([name, make], steps, holder) => {
          const bad = make();
          expect(() => structuredClone(bad)).toThrow();
          // value.<steps> holds it, inside objects and arrays (and a Map or Set at the end).
          let inner: unknown = holder === 'map' ? new Map([['k', bad]]) : holder === 'set' ? new Set([1, bad]) : bad;
          const tail = holder === 'map' ? '.get("k")' : holder === 'set' ? '.values()[1]' : '';
          let path = '';
          for (let i = steps.length - 1; i >= 0; i--) {
            const s = steps[i] as string | number;
            if (typeof s === 'number') {
              const a: unknown[] = new Array(s + 1).fill(0);
              a[s] = inner;
              inner = a;
              path = `[${s}]${path}`;
            } else {
              inner = { [s]: inner };
              path = (/^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`) + path;
            }
          }
          // The default mode refuses them too, except what msgpackr reads as the object it
          // looks like (a Proxy through its traps, an arguments object): README, "What pack writes".
          const lenient = name.startsWith('Proxy') || name === 'arguments';
          for (const options of lenient ? [{ structuredClone: true }] : [{ structuredClone: true }, {}]) {
            let caught: unknown;
            try {
              pack(inner, options);
            } catch (err) {
              caught = err;
            }
            expect(caught).toBeInstanceOf(Blosc2Error);
            expect((caught as Blosc2Error).code).toBe('ERR_DATA_CLONE');
            expect((caught as Blosc2Error).message).toContain(`value${path}${tail}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(NON_CLONEABLE)('refuses %s, as structuredClone does, saying what it is', (_, make, what) => {
    const bad = make();
    expect(() => structuredClone({ x: bad })).toThrow();
    let caught: unknown;
    try {
      sc.pack({ x: bad });
    } catch (err) {
      caught = err;
    }
    expect((caught as Blosc2Error).code).toBe('ERR_DATA_CLONE');
    expect((caught as Blosc2Error).message).toMatch(what);
    expect((caught as Blosc2Error).message).toContain('value.x');
  });
});
