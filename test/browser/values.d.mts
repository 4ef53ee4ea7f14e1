// Types of values.mjs for test/browser.test.ts.
export declare const BIG_ITEMS: number;
export declare function makeValues(lib: { NDArray: unknown }, options?: { big?: boolean }): Record<string, unknown>;
export declare function compare(expected: unknown, actual: unknown, path: string, lib: { NDArray: unknown }): string[];
