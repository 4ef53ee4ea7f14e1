/**
 * Compression and decompression parameters: names after python-blosc2
 * (`codec`, `clevel`, `filters`, `typesize`, `nthreads`, `blocksize`,
 * `splitmode`), validation with one message shape, and the defaults.
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg } from './errors';
import { checkKnownKeys, checkName } from './names';
import type { CoreCParams } from './backend/types';
import { platform } from './platform';

/** The codecs compiled into this build (python-blosc2's `blosc2.Codec`). */
export type Codec = 'blosclz' | 'lz4' | 'lz4hc' | 'zlib' | 'zstd';
/** The filters of the pipeline (python-blosc2's `blosc2.Filter`). */
export type Filter = 'nofilter' | 'shuffle' | 'bitshuffle' | 'delta' | 'truncPrec' | 'bytedelta';
/** How blocks are split into streams before the codec (python-blosc2's `blosc2.SplitMode`). */
export type SplitMode = 'always' | 'never' | 'auto' | 'forwardCompat';

/** Compression parameters. Every field is optional; see {@link defaultCParams}. */
export interface CParams {
  /** The codec. */
  codec?: Codec;
  /** Compression level, 0 (store) to 9 (smallest). */
  clevel?: number;
  /**
   * Up to 6 filters applied in order before the codec. Refused with
   * ERR_INVALID_ARG, because C-Blosc2 2.17.1 would decode them wrongly: more
   * than two active filters, a second 'delta', 'delta' after a shuffle, and
   * 'delta'/'truncPrec' on input that is not a whole number of items.
   * 'bytedelta' is a C-Blosc2 plugin, not in this build: ERR_UNSUPPORTED.
   */
  filters?: readonly Filter[];
  /** One byte of metadata per filter (e.g. the bits kept by `truncPrec`). */
  filtersMeta?: readonly number[];
  /** Bytes per item for the shuffle filters, 1-255. Default: the view's `BYTES_PER_ELEMENT` (1 for bytes). */
  typesize?: number;
  /**
   * Threads of C-Blosc2's own pool for this call, honoured as given (no more
   * than the call has blocks). Default: one per 256 KiB of each call and per
   * block, at most {@link getNthreads}, within the process's thread budget
   * (README, "Threads").
   */
  nthreads?: number;
  /** Block size in bytes; 0 lets C-Blosc2 choose. */
  blocksize?: number;
  /** Split mode. */
  splitmode?: SplitMode;
}

/** Decompression parameters. */
export interface DParams {
  /** Threads of C-Blosc2's own pool for this call. Default: chosen by size, as {@link CParams.nthreads}. */
  nthreads?: number;
  /**
   * The most bytes one decode may produce (and allocate), checked before any
   * allocation. Default {@link DEFAULT_MAX_OUTPUT_BYTES} (1 GiB).
   */
  maxOutputBytes?: number;
}

/** Default of {@link DParams.maxOutputBytes}: 1 GiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 2 ** 30;

export const CODECS: Readonly<Record<Codec, number>> = { blosclz: 0, lz4: 1, lz4hc: 2, zlib: 4, zstd: 5 };
export const FILTERS: Readonly<Record<Filter, number>> = {
  nofilter: 0,
  shuffle: 1,
  bitshuffle: 2,
  delta: 3,
  truncPrec: 4,
  bytedelta: 35,
};
export const SPLITMODES: Readonly<Record<SplitMode, number>> = { always: 1, never: 2, auto: 3, forwardCompat: 4 };

/**
 * The defaults of {@link CParams}: LZ4 at level 5 after the byte shuffle, the
 * pair that measured fastest at a good ratio on smooth numeric data (see
 * README, "Choosing the defaults").
 */
export const defaultCParams: Readonly<Required<Omit<CParams, 'typesize' | 'nthreads'>>> = Object.freeze({
  codec: 'lz4',
  clevel: 5,
  filters: Object.freeze(['shuffle'] as Filter[]),
  filtersMeta: Object.freeze([] as number[]),
  blocksize: 0,
  splitmode: 'forwardCompat',
});

function envNthreads(): number | undefined {
  const raw = platform.env('BLOSC_NTHREADS');
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 256 ? n : undefined;
}

let nthreads = envNthreads() ?? Math.min(256, platform.cpuCount());

/**
 * The most threads a C-Blosc2 call takes when it gives no `nthreads` (from
 * `BLOSC_NTHREADS`, else the number of CPUs); each call takes fewer where its
 * size is not worth more (README, "Threads").
 */
export function getNthreads(): number {
  return nthreads;
}

/**
 * Sets the most threads later C-Blosc2 calls without `nthreads` take, as
 * python-blosc2's `set_nthreads` (those calls still take fewer where their
 * size is not worth more; pass `nthreads` to a call for an exact count).
 * @param n - 1 to 256
 * @returns the previous value
 */
export function setNthreads(n: number): number {
  checkInt('nthreads', n, 1, 256);
  const prev = nthreads;
  nthreads = n;
  return prev;
}

/** @internal */
export function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArg(name, `an integer between ${min} and ${max}`, value);
  }
  return value;
}

/** @internal */
export function checkObject(name: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArg(name, 'an object', value);
  return value as Record<string, unknown>;
}

function checkEnum<T extends string>(
  name: string,
  value: unknown,
  table: Readonly<Record<T, number>>,
  aliases?: Readonly<Record<string, string>>,
): number {
  return table[checkName(name, value, Object.keys(table) as T[], aliases)];
}

/** The keys of {@link CParams}. @internal */
export const CPARAM_KEYS = ['codec', 'clevel', 'filters', 'filtersMeta', 'typesize', 'nthreads', 'blocksize', 'splitmode'] as const;
/** What other libraries call these (python-blosc and numcodecs: `cname`, `shuffle`), normalized as {@link closestName} does. */
const CPARAM_ALIASES: Readonly<Record<string, string>> = { cname: 'codec', compressor: 'codec', shuffle: 'filters', filter: 'filters' };
/** python-blosc2's enum member names. */
const FILTER_ALIASES: Readonly<Record<string, string>> = { noshuffle: 'nofilter' };
const SPLITMODE_ALIASES: Readonly<Record<string, string>> = {
  alwayssplit: 'always',
  neversplit: 'never',
  autosplit: 'auto',
  forwardcompatsplit: 'forwardCompat',
};

/**
 * Validates `cparams` and turns them into the core's form ({@link CoreCParams}).
 * @param extraKeys - keys the caller accepts beside the CParams (e.g. pack options)
 * @internal
 */
export function resolveCParams(cparams: unknown, defaultTypesize: number, name = 'cparams', extraKeys?: ReadonlySet<string>): CoreCParams {
  const o = checkObject(name, cparams) ?? {};
  const extra = extraKeys ? [...extraKeys] : [];
  // Packer options add some 35 names: the message names the groups instead of listing them.
  const what = extra.length > 4 ? 'a CParams key, a pack option or a msgpackr option' : undefined;
  checkKnownKeys(name, o, [...CPARAM_KEYS, ...extra], what, CPARAM_ALIASES);
  const codec = o['codec'] === undefined ? CODECS[defaultCParams.codec] : checkEnum(`${name}.codec`, o['codec'], CODECS);
  const clevel = o['clevel'] === undefined ? defaultCParams.clevel : checkInt(`${name}.clevel`, o['clevel'], 0, 9);
  const typesize = o['typesize'] === undefined ? defaultTypesize : checkInt(`${name}.typesize`, o['typesize'], 1, 255);
  const threads = o['nthreads'] === undefined ? nthreads : checkInt(`${name}.nthreads`, o['nthreads'], 1, 256);
  const blocksize = o['blocksize'] === undefined ? 0 : checkInt(`${name}.blocksize`, o['blocksize'], 0, 2 ** 31 - 1);
  const splitmode =
    o['splitmode'] === undefined
      ? SPLITMODES[defaultCParams.splitmode]
      : checkEnum(`${name}.splitmode`, o['splitmode'], SPLITMODES, SPLITMODE_ALIASES);
  const filters = o['filters'] === undefined ? defaultCParams.filters : o['filters'];
  if (!Array.isArray(filters) || filters.length > 6) {
    throw invalidArg(`${name}.filters`, 'an array of at most 6 filter names', filters);
  }
  const meta = o['filtersMeta'] === undefined ? [] : o['filtersMeta'];
  if (!Array.isArray(meta) || meta.length > filters.length) {
    throw invalidArg(`${name}.filtersMeta`, `an array of at most ${filters.length} bytes (one per filter)`, meta);
  }
  const shuffleAt = filters.findIndex((f) => f === 'shuffle' || f === 'bitshuffle');
  const deltaAt = filters.lastIndexOf('delta');
  if (shuffleAt >= 0 && deltaAt > shuffleAt) {
    // C-Blosc2 undoes delta against the already-restored first block, so a
    // delta after a shuffle decodes to wrong values without any error.
    throw invalidArg(`${name}.filters`, "'delta' before any 'shuffle'/'bitshuffle' (C-Blosc2 cannot undo it after one)", filters);
  }
  if (filters.filter((f) => f === 'delta').length > 1) {
    // Each delta is undone against the already-restored first block: a second one decodes wrong.
    throw invalidArg(`${name}.filters`, "at most one 'delta'", filters);
  }
  if (filters.filter((f) => f !== 'nofilter').length > 2) {
    // C-Blosc2 2.17.1 rotates its three pipeline buffers starting from the
    // caller's input, so a third active filter writes into the input.
    throw invalidArg(`${name}.filters`, 'at most two filters besides nofilter', filters);
  }
  if (filters.includes('bytedelta')) {
    throw new Blosc2Error(
      "the 'bytedelta' filter is a C-Blosc2 plugin, and this build leaves C-Blosc2's plugins out (their code is where its known CVEs are)",
      'ERR_UNSUPPORTED',
    );
  }
  // C-Blosc2 runs the 6 filter slots in order; the usual place of a single
  // shuffle is the last slot, so right-align the list as python-blosc2 does.
  const slots = [0, 0, 0, 0, 0, 0];
  const metaSlots = [0, 0, 0, 0, 0, 0];
  const offset = 6 - filters.length;
  for (let i = 0; i < filters.length; i++) {
    slots[offset + i] = checkEnum(`${name}.filters[${i}]`, filters[i], FILTERS, FILTER_ALIASES);
    metaSlots[offset + i] = meta[i] === undefined ? 0 : checkInt(`${name}.filtersMeta[${i}]`, meta[i], -128, 255) & 0xff;
  }
  return {
    clevel,
    codec,
    typesize,
    nthreads: threads,
    threadsBySize: o['nthreads'] === undefined,
    blocksize,
    splitmode,
    filters: slots,
    filtersMeta: metaSlots,
  };
}

// C-Blosc2 2.17.1's delta and trunc-prec filters never write the bytes past
// the last whole item of a block, so a chunk of such input would carry stale
// bytes there: refuse it rather than return wrong bytes.
const NEEDS_WHOLE_ITEMS = new Set([FILTERS.delta, FILTERS.truncPrec]);

/**
 * Refuses a compression of `byteLength` bytes that the filters cannot undo exactly.
 * @internal
 */
export function checkWholeItems(byteLength: number, cparams: CoreCParams): void {
  if (byteLength % cparams.typesize === 0 || !cparams.filters.some((f) => NEEDS_WHOLE_ITEMS.has(f))) return;
  throw new Blosc2Error(
    `src is ${byteLength} bytes, not a whole number of ${cparams.typesize}-byte items, which the 'delta' and 'truncPrec' filters need`,
    'ERR_INVALID_ARG',
  );
}

/** @internal */
export function resolveDParams(
  dparams: unknown,
  name = 'dparams',
  extraKeys?: ReadonlySet<string>,
): { nthreads: number; threadsBySize: boolean; maxOutputBytes: number } {
  const o = checkObject(name, dparams) ?? {};
  checkKnownKeys(name, o, ['nthreads', 'maxOutputBytes', ...(extraKeys ?? [])]);
  return {
    nthreads: o['nthreads'] === undefined ? nthreads : checkInt(`${name}.nthreads`, o['nthreads'], 1, 256),
    threadsBySize: o['nthreads'] === undefined,
    maxOutputBytes:
      o['maxOutputBytes'] === undefined
        ? DEFAULT_MAX_OUTPUT_BYTES
        : checkInt(`${name}.maxOutputBytes`, o['maxOutputBytes'], 0, Number.MAX_SAFE_INTEGER),
  };
}
