/**
 * useBlosc2 with a Packr of any msgpackr instance (issue 14): msgpackr keeps
 * its extensions per loaded copy, and its CommonJS and ES module builds are
 * two copies. Each case runs in a child process that loads the package as a
 * user does ('blosc2' through package.json's exports, dist/): msgpackr's ES
 * module build imported from a plain .mjs file (this used to fail with
 * "Expected a msgpackr Packr for packr but received an instance of Packr"),
 * its CommonJS build, a second copy of the same version at another path (npm
 * link, a nested install), and msgpackr 1.x (another version; npm alias
 * msgpackr-v1). The child reports what test/children/msgpackr-instance-check.cjs
 * found; here each finding is asserted.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CHILDREN = path.join(__dirname, 'children');
const ROOT = path.join(__dirname, '..');

interface Report {
  useBlosc2: 'ok' | { code: string; message: string };
  sameAsPack?: boolean;
  hasFrame?: boolean;
  blosc2Unpack?: boolean;
  ownUnpack?: boolean;
  unpackrOfInstance?: boolean;
  unpackrAccepted?: boolean;
  othersUnchanged?: boolean[];
  othersAsMsgpackr2?: boolean[];
  defaultUnpackReadsPack?: boolean;
  structuredCloneShared?: boolean;
  distinctFromBlosc2sOwn: boolean;
}

function run(child: 'cjs' | 'mjs', spec: string, explicit = false): Report {
  const r = spawnSync(
    process.execPath,
    [path.join(CHILDREN, `msgpackr-instance-child.${child}`), spec, ...(explicit ? ['explicit'] : [])],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect(r.status, `child ${child} ${spec} failed:\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

/** What every working case reports. `alone` says whether other Packrs write what this msgpackr alone writes. */
function expectWorks(report: Report, alone: boolean[] = [true, true, true]): void {
  expect(report.useBlosc2).toBe('ok');
  expect(report).toMatchObject({
    sameAsPack: true,
    hasFrame: true,
    blosc2Unpack: true,
    ownUnpack: true,
    unpackrOfInstance: true,
    unpackrAccepted: true,
    defaultUnpackReadsPack: true,
    structuredCloneShared: true,
  });
  expect(report.othersUnchanged).toEqual(alone);
  expect(report.othersAsMsgpackr2).toEqual([true, true, true]);
}

// A second copy of msgpackr 2 at another path, as npm link or a nested install makes one.
const copyRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-msgpackr-copy-'));
fs.cpSync(path.join(ROOT, 'node_modules', 'msgpackr'), path.join(copyRoot, 'node_modules', 'msgpackr'), { recursive: true });
afterAll(() => fs.rmSync(copyRoot, { recursive: true, force: true }));

describe('useBlosc2 with a Packr of', () => {
  it("msgpackr's ES module build, imported by a plain .mjs file", () => {
    const report = run('mjs', 'msgpackr');
    expect(report.distinctFromBlosc2sOwn).toBe(true);
    expectWorks(report);
  });

  it("msgpackr's CommonJS build", () => {
    const report = run('cjs', 'msgpackr');
    expect(report.distinctFromBlosc2sOwn).toBe(false);
    expectWorks(report);
  });

  it('a second copy of msgpackr loaded through require (found in require.cache)', () => {
    const report = run('cjs', copyRoot);
    expect(report.distinctFromBlosc2sOwn).toBe(true);
    expectWorks(report);
  });

  it('a second copy imported as an ES module: refused with a message naming options.msgpackr, then accepted with it', () => {
    const refused = run('mjs', copyRoot);
    expect(refused.useBlosc2).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((refused.useBlosc2 as { message: string }).message).toContain('pass that module as options.msgpackr');
    expectWorks(run('mjs', copyRoot, true));
  });

  // msgpackr 1.x alone writes typed arrays other than bytes, and DataViews, wrongly
  // without moreTypes (a bin of the wrong bytes, an empty bin); with the extension
  // registered its other Packrs write what msgpackr 2 writes instead.
  it('msgpackr 1.x through require', () => {
    const report = run('cjs', 'msgpackr-v1');
    expect(report.distinctFromBlosc2sOwn).toBe(true);
    expectWorks(report, [false, true, true]);
  });

  it('msgpackr 1.x imported as an ES module, with options.msgpackr', () => {
    expectWorks(run('mjs', 'msgpackr-v1', true), [false, true, true]);
  });
});
