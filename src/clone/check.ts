/**
 * The default mode's check (no structuredClone): a value pack would write but
 * unpack would not read back as documented (README, "What pack writes") is
 * refused with ERR_DATA_CLONE naming its path, before msgpackr writes
 * anything. What it lets through comes back as msgpackr's plain MessagePack
 * gives it: Maps as objects, Sets as arrays, shared objects as copies.
 * @internal
 * @packageDocumentation
 */
import { MAX_DEPTH, type ObjectKind, isWellFormed, objectKind, refusalOf } from './kinds';
import { Refusal, indexStep, keyStep, mapKeyStep, mapValueStep, setStep, toDataCloneError, withStep } from './path';

/** What the Packer's msgpackr options make of the values checked. */
export interface CheckRules {
  /** BigInts outside 64 bits are written (msgpackr's moreTypes, useBigIntExtension, largeBigIntTo*). */
  bigInts: boolean;
  /** Maps come back as plain objects (the default): their keys become strings, which must be unique. */
  mapsAsObjects: boolean;
  /** Object keys `__proto__` come back renamed `__proto_` (msgpackr does so unless maps are read as Maps). */
  protoRenamed: boolean;
  /** Object.prototype has enumerable properties (set by checkPlain for each call). */
  polluted?: boolean;
}

const USE_STRUCTURED_CLONE = 'pass structuredClone: true to pack it';
const LONE_SURROGATE_KEY = `is a key with a lone surrogate, which UTF-8 cannot hold (it would come back as U+FFFD, perhaps the same as another key); ${USE_STRUCTURED_CLONE}`;
const INT64_MIN = -(2n ** 63n);
const UINT64_END = 2n ** 64n;

/** Whether Object.prototype has enumerable keys (then for-in lists them for every object). */
function polluted(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

/** Throws ERR_DATA_CLONE, naming the path, for the first value the default mode cannot write faithfully. */
export function checkPlain(value: unknown, rules: CheckRules): void {
  rules.polluted = polluted();
  try {
    walk(value, rules, 0);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    // Past the depth limit, a cycle is the likelier story: say so when it is one.
    throw toDataCloneError(err.what.startsWith('is nested') ? (findCycle(value, [], '') ?? err) : err);
  }
}

function refuseKind(kind: ObjectKind, v: object): Refusal {
  switch (kind) {
    case 'Error':
      return new Refusal(`is an Error, which MessagePack has no type for (msgpackr would write an array); ${USE_STRUCTURED_CLONE}`);
    case 'RegExp':
      return new Refusal(`is a RegExp, which MessagePack has no type for (msgpackr would write an array); ${USE_STRUCTURED_CLONE}`);
    case 'boxed':
      return new Refusal(`is a boxed primitive (new Number, new String, ...), which MessagePack has no type for; ${USE_STRUCTURED_CLONE}`);
    default:
      return new Refusal(`is ${refusalOf(v)}, which cannot be packed (nor cloned by structuredClone)`);
  }
}

// A property's value as msgpackr will read it (getters run): a getter that throws is refused with its error.
function read(o: Record<string, unknown>, k: string): unknown {
  try {
    return o[k];
  } catch (err) {
    throw withStep(new Refusal(`threw when read: ${(err as Error)?.message ?? String(err)}`, { cause: err }), keyStep(k));
  }
}

// Numbers, strings, booleans, undefined and null need no look (the common values of a message).
function needsWalk(x: unknown): boolean {
  const t = typeof x;
  return t === 'object' ? x !== null : t === 'bigint' || t === 'symbol' || t === 'function';
}

function walk(v: unknown, rules: CheckRules, depth: number): void {
  switch (typeof v) {
    case 'object':
      if (v === null) return;
      break;
    case 'bigint':
      if (!rules.bigInts && (v < INT64_MIN || v >= UINT64_END)) {
        throw new Refusal(
          `is a BigInt outside 64 bits, which MessagePack cannot hold; ${USE_STRUCTURED_CLONE} (or msgpackr's useBigIntExtension)`,
        );
      }
      return;
    case 'symbol':
    case 'function':
      throw new Refusal(`is ${refusalOf(v)}, which cannot be packed (nor cloned by structuredClone)`);
    default:
      return;
  }
  if (depth >= MAX_DEPTH) throw new Refusal(`is nested deeper than ${MAX_DEPTH} levels, more than pack writes`);
  const kind = objectKind(v, false);
  switch (kind) {
    case 'object': {
      const o = v as Record<string, unknown>;
      // for-in also lists inherited enumerable keys: a plain object has none
      // unless Object.prototype was given some (checked once per pack).
      const proto: unknown = Object.getPrototypeOf(o);
      const ownOnly = proto === null || (proto === Object.prototype && !rules.polluted);
      for (const k in o) {
        if (!ownOnly && !Object.hasOwn(o, k)) continue;
        if (k === '__proto__' && rules.protoRenamed) {
          throw withStep(
            new Refusal(`is a key named __proto__, which msgpackr reads back as __proto_; ${USE_STRUCTURED_CLONE}`),
            keyStep(k),
          );
        }
        if (!isWellFormed(k)) throw withStep(new Refusal(LONE_SURROGATE_KEY), keyStep(k));
        const x = read(o, k);
        if (!needsWalk(x)) continue;
        try {
          walk(x, rules, depth + 1);
        } catch (err) {
          throw withStep(err, keyStep(k));
        }
      }
      return;
    }
    case 'array': {
      const a = v as unknown[];
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if (!needsWalk(x)) continue;
        try {
          walk(x, rules, depth + 1);
        } catch (err) {
          throw withStep(err, indexStep(i));
        }
      }
      return;
    }
    case 'Set': {
      let i = 0;
      for (const x of v as Set<unknown>) {
        try {
          walk(x, rules, depth + 1);
        } catch (err) {
          throw withStep(err, setStep(i));
        }
        i++;
      }
      return;
    }
    case 'Map':
      return walkMap(v as Map<unknown, unknown>, rules, depth);
    case 'view':
    case 'ArrayBuffer':
    case 'SharedArrayBuffer':
    case 'NDArray': // (a resizable ArrayBuffer comes back fixed-length: its bytes are what travels)
    case 'Date':
      return;
    default:
      throw refuseKind(kind, v);
  }
}

function walkMap(m: Map<unknown, unknown>, rules: CheckRules, depth: number): void {
  if (m.constructor !== Map) throw new Refusal(`is a Map subclass, whose entries msgpackr does not write; ${USE_STRUCTURED_CLONE}`);
  const keys = rules.mapsAsObjects ? new Set<string>() : undefined;
  let i = 0;
  for (const [k, x] of m) {
    if (keys) {
      const t = typeof k;
      if ((t === 'object' && k !== null) || t === 'function' || t === 'symbol') {
        const what = `is a Map key that is not a string, number, boolean, bigint, null or undefined: Maps come back as plain objects, whose keys are strings; ${USE_STRUCTURED_CLONE}`;
        throw withStep(new Refusal(what), mapKeyStep(i));
      }
      if (t === 'bigint') {
        try {
          walk(k, rules, depth + 1);
        } catch (err) {
          throw withStep(err, mapKeyStep(i));
        }
      }
      const s = String(k);
      if (!isWellFormed(s)) throw withStep(new Refusal(LONE_SURROGATE_KEY), mapKeyStep(i));
      if (s === '__proto__' || keys.has(s)) {
        const why = s === '__proto__' ? 'msgpackr reads it back as __proto_' : `another key of the Map is also '${s}' as a string`;
        throw withStep(new Refusal(`is a Map key that becomes the object key '${s}', and ${why}; ${USE_STRUCTURED_CLONE}`), mapKeyStep(i));
      }
      keys.add(s);
    } else {
      try {
        walk(k, rules, depth + 1);
      } catch (err) {
        throw withStep(err, mapKeyStep(i));
      }
    }
    try {
      walk(x, rules, depth + 1);
    } catch (err) {
      throw withStep(err, mapValueStep(k, i));
    }
    i++;
  }
}

// The first object met again on its own path (a cycle), as a refusal naming
// where it first was; looks at the same children as walk(), as deep.
function findCycle(v: unknown, stack: Array<{ obj: object; step: string }>, step: string): Refusal | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const at = stack.findIndex((e) => e.obj === v);
  if (at >= 0) {
    const target = `value${stack
      .slice(1, at + 1)
      .map((e) => e.step)
      .join('')}`;
    const r = new Refusal(`refers back to ${target} (a cycle), which the default options cannot write; ${USE_STRUCTURED_CLONE}`);
    r.steps.push(step);
    for (let i = stack.length - 1; i >= 1; i--) r.steps.push((stack[i] as { step: string }).step);
    return r;
  }
  if (stack.length > MAX_DEPTH) return undefined;
  const children: Array<[unknown, string]> = [];
  if (Array.isArray(v)) v.forEach((x, i) => children.push([x, indexStep(i)]));
  else if (v instanceof Map) [...v].forEach(([k, x], i) => children.push([k, mapKeyStep(i)], [x, mapValueStep(k, i)]));
  else if (v instanceof Set) [...v].forEach((x, i) => children.push([x, setStep(i)]));
  else if (objectKind(v, false) === 'object')
    for (const k of Object.keys(v)) children.push([(v as Record<string, unknown>)[k], keyStep(k)]);
  stack.push({ obj: v, step });
  try {
    for (const [child, s] of children) {
      const r = findCycle(child, stack, s);
      if (r) return r;
    }
  } finally {
    stack.pop();
  }
  return undefined;
}
