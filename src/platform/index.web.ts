/**
 * The platform of the browser bundle (replaces index.ts there, see
 * scripts/build-browser.js): web APIs only.
 * @internal
 * @packageDocumentation
 */
export { platform } from './web';
export type { Bytes, Platform } from './types';
