/**
 * Runs test programs in a fresh `node` (a crash or a hang there fails one test
 * instead of killing the runner), with the library loaded the one way
 * (./load.cjs): the programs live in test/children/, or are given as `-e` code.
 */
import {
  type ExecFileException,
  execFile,
  spawn,
  spawnSync,
  type ChildProcessWithoutNullStreams,
  type SpawnSyncReturns,
} from 'node:child_process';
import * as path from 'node:path';

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The loader every child process and worker thread requires first. */
export const LOADER = path.join(__dirname, 'load.cjs');
/** The programs tests run in child processes and worker threads. */
export const CHILDREN = path.join(REPO_ROOT, 'test', 'children');
/** The data files (frames) the tests read. */
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

/** How to run a child. */
export interface NodeOptions {
  /** Node flags before the loader (e.g. --expose-gc). */
  flags?: readonly string[];
  /** Kill the child after this long. */
  timeoutMs?: number;
  /** stdin. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Default: the repository root. */
  cwd?: string;
  /** Load ./load.cjs first (default true; the dist/ tests load the published build instead). */
  loader?: boolean;
}

/** The `node` argument list: flags, the loader, then `argv` (a script and its arguments, or `-e` code). */
export function nodeArgs(argv: readonly string[], options: Pick<NodeOptions, 'flags' | 'loader'> = {}): string[] {
  return [...(options.flags ?? []), ...(options.loader === false ? [] : ['-r', LOADER]), ...argv];
}

/** Runs `node` to completion; returns its status, signal and output. */
export function runNode(argv: readonly string[], options: NodeOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, nodeArgs(argv, options), {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
}

/** What {@link runNodeAsync} resolves to. */
export interface NodeResult {
  /** Exit status, or null when killed by a signal. */
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** {@link runNode} without blocking the event loop (several children at once). */
export function runNodeAsync(argv: readonly string[], options: NodeOptions = {}): Promise<NodeResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      nodeArgs(argv, options),
      {
        cwd: options.cwd ?? REPO_ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
        ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      },
      (err: ExecFileException | null, stdout: string, stderr: string) => {
        const e = err as (ExecFileException & { code?: number | string; signal?: string }) | null;
        resolve({ status: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** Starts `node` with piped stdio (for programs that stream). */
export function spawnNode(
  argv: readonly string[],
  options: Pick<NodeOptions, 'flags' | 'loader' | 'cwd'> = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, nodeArgs(argv, options), { cwd: options.cwd ?? REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The last line of a child's stdout, parsed as JSON. */
export function lastJsonLine<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
}
