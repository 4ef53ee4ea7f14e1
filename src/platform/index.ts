/**
 * The platform this build runs on: Node's (the browser bundle replaces this
 * module by web.ts, see scripts/build-browser.js).
 * @internal
 * @packageDocumentation
 */
export { platform } from './node';
export type { Bytes, Platform } from './types';
