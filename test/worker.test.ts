/**
 * The addon in worker threads: it is context-aware, so each worker loads its
 * own instance (with its own Blosc2Error class and settings), round-trips
 * there, and works while other workers and the main thread do the same.
 * Workers run plain JavaScript: they load the library the one way
 * (test/support/load.cjs), with the same build of the addon.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { compressAsync, decompress, decompressAsync, getNthreads, versions } from '../src/index';
import { CHILDREN, runNode } from './support/child';
import { sameBytes } from './support/compare';
import { sampleBytes } from './support/data';

const WORKER_SCRIPT = path.join(CHILDREN, 'core-worker.cjs');
const TERMINATE_SCRIPT = path.join(CHILDREN, 'core-terminate.cjs');

/** What test/children/core-worker.cjs posts back in 'roundtrip' mode. */
interface WorkerReport {
  failed?: string;
  threadId: number;
  isMainThread: boolean;
  version: string;
  checks: boolean[];
  error: { isBlosc2Error: boolean; isError: boolean; code: string; name: string } | null;
  nthreadsBefore: number;
  nthreadsAfter: number;
  samples: { data: Uint8Array; chunk: Uint8Array }[];
}

function runWorker(size: number, seed: number, rounds: number): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: { mode: 'roundtrip', size, seed, rounds } });
    worker.once('message', (report: WorkerReport) => {
      void worker.terminate().then(() => resolve(report));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`worker exited with ${code}`));
    });
  });
}

/** Checks one worker's report, and decodes its chunks on this thread. */
function expectGoodReport(report: WorkerReport, rounds: number): void {
  expect(report.failed).toBeUndefined();
  expect(report.isMainThread).toBe(false);
  expect(report.threadId).toBeGreaterThan(0);
  expect(report.version).toBe(versions.cblosc2);
  expect(report.checks).toEqual(Array(rounds).fill(true));
  // Errors made in the worker are that worker's Blosc2Error.
  expect(report.error).toEqual({ isBlosc2Error: true, isError: true, code: 'ERR_CORRUPT', name: 'Blosc2Error' });
  expect(report.nthreadsAfter).toBe(1);
  expect(report.samples).toHaveLength(rounds);
  for (const { data, chunk } of report.samples) expect(sameBytes(decompress(chunk), data)).toBe(true);
}

describe('worker threads', () => {
  it('a worker loads the addon and round-trips, sync and async; its chunks decode on the main thread', async () => {
    const report = await runWorker(1 << 20, 1, 3);
    expectGoodReport(report, 3);
    // setNthreads in the worker changed the worker's default only.
    expect(getNthreads()).toBe(report.nthreadsBefore);
  });

  it('workers come and go: the addon loads again in each new worker', async () => {
    for (let i = 0; i < 3; i++) expectGoodReport(await runWorker(64 * 1024, 10 + i, 1), 1);
  });

  it('2 workers and the main thread round-trip at the same time', async () => {
    const size = 4 << 20;
    const rounds = 4;
    const workers = [runWorker(size, 100, rounds), runWorker(size, 200, rounds)];
    // Main-thread work while the workers run; all results checked at the end.
    const mainInputs = Array.from({ length: rounds }, (_, i) => sampleBytes(size, 300 + i));
    const mainChunks = await Promise.all(mainInputs.map((d) => compressAsync(d, { codec: 'zlib', typesize: 8 })));
    const mainBacks = await Promise.all(mainChunks.map((c) => decompressAsync(c)));
    const reports = await Promise.all(workers);
    reports.forEach((r) => expectGoodReport(r, rounds));
    expect(reports[0]?.threadId).not.toBe(reports[1]?.threadId);
    mainBacks.forEach((back, i) => expect(sameBytes(back, mainInputs[i] ?? new Uint8Array())).toBe(true));
  });

  // Terminating a worker while its async calls run must not take the process
  // down. Run in a child process so an abort is reported, not fatal to the
  // test runner. Without -DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS (CMakeLists.txt)
  // this aborted the process ("terminate called after throwing an instance of
  // 'Napi::Error'" from Napi::AsyncWorker::OnAsyncWorkComplete during worker teardown).
  it('terminating workers with async calls in flight leaves the process running', () => {
    const r = runNode([TERMINATE_SCRIPT, '5'], { timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/terminate called|Aborted|FATAL/);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('main alive');
  });
});
