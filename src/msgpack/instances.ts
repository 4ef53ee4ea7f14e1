/**
 * Which msgpackr a Packr or Unpackr comes from. msgpackr keeps its extensions
 * in module state, so each loaded copy of it (its CommonJS build, its ES
 * module build, another version in a nested node_modules, an `npm link`ed
 * one) is an instance of its own, and the extension must be registered on the
 * instance the user's Packr belongs to. Known instances: the CommonJS build
 * next to this package, the ES module build the ESM entry adopts
 * (scripts/esm-wrapper.js), any CommonJS copy found in `require.cache`, and
 * any module handed to `useBlosc2(packr, { msgpackr })`.
 * @internal
 * @packageDocumentation
 */
import * as ours from 'msgpackr';

/** What this package uses of a msgpackr module (its exports), of any copy or version from 1.8 on (1.11 and 2.x tested). */
export interface MsgpackrModule {
  addExtension(extension: never): void;
  Packr?: abstract new (...args: never[]) => unknown;
  Unpackr?: abstract new (...args: never[]) => unknown;
}

/** Our CommonJS msgpackr. */
export const OWN_MSGPACKR: MsgpackrModule = ours;

const known: MsgpackrModule[] = [OWN_MSGPACKR];
const byClass = new WeakMap<object, MsgpackrModule>();
const adoptListeners: Array<(mod: MsgpackrModule) => void> = [];

/** Whether `value` is a msgpackr module: addExtension and at least one of its classes. */
export function isMsgpackrModule(value: unknown): value is MsgpackrModule {
  if (value === null || typeof value !== 'object') return false;
  const m = value as Partial<MsgpackrModule>;
  return typeof m.addExtension === 'function' && (typeof m.Packr === 'function' || typeof m.Unpackr === 'function');
}

/** Makes `mod` a known instance (the ESM entry hands msgpackr's ES module build here). */
export function adoptMsgpackr(mod: MsgpackrModule): void {
  if (known.includes(mod)) return;
  known.push(mod);
  for (const listener of adoptListeners) listener(mod);
}

/** Every known instance, and later each one adopted after this call. */
export function onEachMsgpackr(listener: (mod: MsgpackrModule) => void): void {
  adoptListeners.push(listener);
  for (const mod of [...known]) listener(mod);
}

function owns(mod: unknown, ctor: unknown): boolean {
  return isMsgpackrModule(mod) && (mod.Packr === ctor || mod.Unpackr === ctor);
}

// CommonJS copies of msgpackr anywhere (nested installs, npm link, pnpm's
// store) are in require.cache once loaded, whoever loaded them.
function fromRequireCache(ctor: unknown): MsgpackrModule | undefined {
  if (typeof require !== 'function' || !require.cache) return undefined;
  for (const entry of Object.values(require.cache)) {
    const exports: unknown = entry?.exports;
    if (owns(exports, ctor)) {
      adoptMsgpackr(exports as MsgpackrModule);
      return exports as MsgpackrModule;
    }
  }
  return undefined;
}

/**
 * The msgpackr instance whose Packr or Unpackr class `instance` was made
 * by (through its prototype chain, so subclasses count), or undefined.
 */
export function msgpackrOf(instance: object): MsgpackrModule | undefined {
  for (
    let proto: unknown = Object.getPrototypeOf(instance);
    proto !== null && typeof proto === 'object';
    proto = Object.getPrototypeOf(proto)
  ) {
    const ctor = (proto as { constructor?: unknown }).constructor;
    if (typeof ctor !== 'function') continue;
    const cached = byClass.get(ctor);
    if (cached) return cached;
    const mod = known.find((m) => owns(m, ctor)) ?? fromRequireCache(ctor);
    if (mod) {
      byClass.set(ctor, mod);
      return mod;
    }
  }
  return undefined;
}
