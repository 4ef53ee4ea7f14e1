// The browser bundle (dist/browser/blosc2.js over wasm/blosc2.wasm) in real
// headless Chromium (Debian's, installed by scripts/test-deps.js; driven by
// puppeteer-core, which downloads no browser): a page and a module Web Worker
// unpack messages Node packed (every dtype, N-d arrays, a 100 MB array) and
// pack messages that Node unpacks here, bit-exact; hostile messages give the
// page the Blosc2Error code the addon gives in Node, and the tab lives on; Web
// Streams and postValue/receiveValue round-trip; openFrame/LazyArray read
// frames in place and over HTTP Range requests, and FrameWriter writes to memory. The checks themselves are in
// test/browser/checks.mjs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Blosc2Error, NDArray, pack, packAsync, packChunks, unpack } from '../src/index';
import { STREAM_HEADER, frameHeader } from '../src/stream-framing';

const ROOT = path.join(__dirname, '..');
const SERVED = ['dist/browser/', 'wasm/', 'test/browser/'];
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** Where Debian puts Chromium (the /usr/bin/chromium wrapper script is noisy; the binary is the same). */
export function chromiumPath(): string {
  const found = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => fs.existsSync(p));
  if (!found) throw new Error('Chromium is missing: scripts/test-deps.js installs it (apt-get install chromium)');
  return found;
}

function ext42(frame: Uint8Array): Buffer {
  const head = Buffer.from([0xc9, 0, 0, 0, 0, 42]);
  head.writeUInt32BE(frame.byteLength, 1);
  return Buffer.concat([head, frame]);
}

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'value';
  } catch (err) {
    return err instanceof Blosc2Error ? err.code : `not a Blosc2Error: ${String(err)}`;
  }
}

/** Hostile messages: byte flips and truncations of valid ones, the fuzzers' regression frames, and odd fixture frames. */
function hostileMessages(values: Record<string, unknown>): Array<{ what: string; bytes: Buffer }> {
  const out: Array<{ what: string; bytes: Buffer }> = [];
  const bases: Array<[string, Buffer]> = [
    ['nested', pack(values['nested'], { threshold: 0 })],
    ['f64 frame', pack(values['Float64Array-smooth'])],
    ['ndarray frame', pack(values['ndarray-3d-f32'], { codec: 'zstd' })],
  ];
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (const [name, base] of bases) {
    for (let i = 0; i < 12; i++) {
      const b = Buffer.from(base);
      const at = i < 8 ? rand(Math.min(256, b.length)) : rand(b.length);
      b[at] = (b[at] as number) ^ (1 << rand(8));
      out.push({ what: `${name}, bit flip at ${at}`, bytes: b });
    }
    for (const cut of [1, 7, 64, Math.floor(base.length / 2), base.length - 1]) {
      out.push({ what: `${name}, cut to ${cut}`, bytes: base.subarray(0, cut) });
    }
  }
  const regressions = path.join(ROOT, 'fuzz', 'regressions', 'fuzz_frame');
  for (const f of fs.readdirSync(regressions).sort()) out.push({ what: f, bytes: ext42(fs.readFileSync(path.join(regressions, f))) });
  for (const f of fs.readdirSync(path.join(ROOT, 'test', 'fixtures')).filter((n) => n.endsWith('.b2frame'))) {
    out.push({ what: f, bytes: ext42(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', f))) });
  }
  return out;
}

describe('the browser bundle in headless Chromium', () => {
  let server: http.Server;
  let base = '';
  let browser: Browser;
  const uploads = new Map<string, string[]>();

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-browser.js')], { stdio: 'inherit' });
    const mod = await import('./browser/values.mjs');
    const lib = { NDArray };
    const values = mod.makeValues(lib, { big: true });
    const packed = new Map<string, Buffer>();
    for (const [name, v] of Object.entries(values)) packed.set(name, name.startsWith('big') ? await packAsync(v) : pack(v));
    // A frame of 8 chunks, for reads over HTTP Range requests that fetch only the chunks they touch.
    const chunked = values['ndarray-3d-f32'] as NDArray;
    packed.set('chunked-3d-f32', await packChunks([chunked], { shape: [16, 32, 64], dtype: '<f4', chunkshape: [2, 32, 64] }));
    const hostile = hostileMessages(values);
    const manifest = {
      big: true,
      hostile: hostile.map((h, index) => ({ index, what: h.what, expect: outcome(() => unpack(h.bytes, { maxOutputBytes: 64 << 20 })) })),
    };
    // A version-2 stream (FORMAT.md, "Stream framing"): the stream header, then a checked header per message.
    const framed = Buffer.concat([
      Buffer.from(STREAM_HEADER),
      ...[values['nested'], values['Int32Array-smooth']].flatMap((v) => {
        const m = pack(v);
        return [frameHeader(m.length), m];
      }),
    ]);
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: Uint8Array | string, type = 'application/octet-stream') => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      };
      const p = decodeURIComponent(url.pathname);
      if (p === '/manifest.json') return send(200, JSON.stringify(manifest), 'application/json');
      if (p === '/framed') return send(200, framed);
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (p.startsWith('/packed/') && range && packed.has(p.slice(8))) {
        // HTTP Range requests, for the random-access checks' range reader.
        const whole = packed.get(p.slice(8)) as Buffer;
        const [start, end] = [Number(range[1]), Math.min(Number(range[2]), whole.length - 1)];
        res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${whole.length}` });
        return res.end(whole.subarray(start, end + 1));
      }
      if (p.startsWith('/packed/')) return send(packed.has(p.slice(8)) ? 200 : 404, packed.get(p.slice(8)) ?? '');
      if (p.startsWith('/hostile/')) return send(200, hostile[Number(p.slice(9))]?.bytes ?? '');
      if (p.startsWith('/upload/') && req.method === 'POST') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const name = p.split('/')[3] ?? '';
          let problems: string[];
          try {
            problems = mod.compare(values[name], unpack(Buffer.concat(chunks), { maxOutputBytes: 2 ** 30 }), name, lib);
          } catch (err) {
            problems = [`Node could not unpack it: ${String(err)}`];
          }
          uploads.set(p, problems);
          send(200, JSON.stringify({ problems }), 'application/json');
        });
        return;
      }
      const rel = path.normalize(p.slice(1));
      if (!SERVED.some((d) => rel.startsWith(d)) || !fs.existsSync(path.join(ROOT, rel))) return send(404, 'not found', 'text/plain');
      return send(200, fs.readFileSync(path.join(ROOT, rel)), TYPES[path.extname(rel)] ?? 'application/octet-stream');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function openPage() {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/test/browser/page.html`);
    await page.waitForFunction('window.ready === true', { timeout: 60_000 });
    return { page, errors };
  }

  it('a page unpacks what Node packed and packs what Node unpacks, bit-exact; hostile messages are Blosc2Errors', async () => {
    const { page, errors } = await openPage();
    const result = await page.evaluate('window.runPage()');
    expect(result).toMatchObject({ failures: [] });
    expect((result as { passed: number }).passed).toBeGreaterThan(100);
    expect([...uploads.keys()].filter((k) => k.startsWith('/upload/page/'))).toHaveLength(41);
    // The tab survived every hostile message: it still answers.
    expect(await page.evaluate('1 + 1')).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a module Web Worker does the same, and values move to it and back with postValue', async () => {
    const { page, errors } = await openPage();
    const result = await page.evaluate('window.runWorker()');
    expect(result).toMatchObject({ failures: [] });
    expect((result as { passed: number }).passed).toBeGreaterThan(100);
    expect([...uploads.keys()].filter((k) => k.startsWith('/upload/worker/'))).toHaveLength(41);
    expect(errors).toEqual([]);
    await page.close();
  });
});
