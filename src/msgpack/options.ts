/**
 * A Packer's msgpackr options: which pass through, the ones a structuredClone
 * Packer refuses (they would change what comes back), and what the others
 * make of values in the default mode (the check's rules, src/clone/check.ts).
 * @internal
 * @packageDocumentation
 */
import { Packr, type Options as MsgpackrOptions } from 'msgpackr';
import { invalidArg } from '../errors';
import type { CheckRules } from '../clone/check';

/** msgpackr options that pass through to msgpackr. */
export const MSGPACKR_KEYS = [
  'useRecords',
  'structures',
  'moreTypes',
  'sequential',
  'mapsAsObjects',
  'useFloat32',
  'largeBigIntToFloat',
  'largeBigIntToString',
  'useBigIntExtension',
  'int64AsType',
  'int64AsNumber',
  'bundleStrings',
  'useTimestamp32',
  'encodeUndefinedAsNil',
  'maxSharedStructures',
  'maxOwnStructures',
  'shouldShareStructure',
  'getStructures',
  'saveStructures',
  'variableMapSize',
  'useToJSON',
  'mapAsEmptyObject',
  'setAsEmptyObject',
  'allowArraysInMapKeys',
  'skipValues',
  'onInvalidDate',
  'copyBuffers',
  'freezeData',
  'randomAccessStructure',
  'trusted',
] as const;

/** The msgpackr options a Packer takes. */
export type PassedMsgpackrOptions = Pick<MsgpackrOptions, (typeof MSGPACKR_KEYS)[number] & keyof MsgpackrOptions>;

/**
 * Options that would make a structuredClone message come back other than
 * structuredClone gives it, and the only value each may have there.
 */
const CLONE_FIXED: Readonly<Record<string, unknown>> = {
  useRecords: true,
  moreTypes: true,
  mapsAsObjects: false,
  useFloat32: false,
  largeBigIntToFloat: false,
  largeBigIntToString: false,
  int64AsType: 'bigint',
  int64AsNumber: false,
  encodeUndefinedAsNil: false,
  mapAsEmptyObject: false,
  setAsEmptyObject: false,
  freezeData: false,
};
const CLONE_REFUSED = ['skipValues', 'onInvalidDate'];

/** The Packr for the options: plain maps by default (python reads them), records and msgpackr's extra types for structuredClone. */
export function makePackr(o: Record<string, unknown>, structuredClone: boolean): Packr {
  const options: Record<string, unknown> = structuredClone ? { moreTypes: true } : { useRecords: false };
  for (const key of MSGPACKR_KEYS) {
    const v = o[key];
    if (v === undefined) continue;
    if (structuredClone && (CLONE_REFUSED.includes(key) || (key in CLONE_FIXED && v !== CLONE_FIXED[key]))) {
      const allowed = key in CLONE_FIXED ? `${JSON.stringify(CLONE_FIXED[key])} or absent` : 'absent';
      throw invalidArg(`options.${key}`, `${allowed} with structuredClone: true (it would change what comes back)`, v);
    }
    options[key] = v;
  }
  return new Packr(options);
}

/** What the default mode's msgpackr options make of values (see CheckRules). */
export function checkRules(o: Record<string, unknown>): CheckRules {
  const useRecords = o['useRecords'] ?? false;
  const mapsAsObjects = (o['mapsAsObjects'] as boolean | undefined) ?? useRecords === false;
  return {
    bigInts: Boolean(o['moreTypes'] || o['useBigIntExtension'] || o['largeBigIntToFloat'] || o['largeBigIntToString']),
    mapsAsObjects,
    protoRenamed: !(useRecords === false && !mapsAsObjects),
  };
}

/** A Packr that reads structuredClone messages whatever Packer meets one (maps as Maps, records). */
let cloneReader: Packr | undefined;
export function cloneUnpackr(): Packr {
  return (cloneReader ??= new Packr({ moreTypes: true }));
}
