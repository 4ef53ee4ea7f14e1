// unpackAsync on a hostile message: a frame whose decode fails on the thread
// pool, followed by a record that fails synchronously. The queued decode must
// not surface as an unhandled rejection (which kills a Node process by
// default: one message from a peer would take a server down). Run in a child
// so that the crash, if it happens, fails this test rather than the runner.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

const CHILD = `
require('./test/fixtures/hardening-register.cjs');
const { unpackAsync } = require('./src/index.ts');
const fs = require('node:fs');
const frame = Buffer.from(fs.readFileSync('./test/fixtures/hardening-arange-2d.b2frame'));
// chunkshape[0] 16 -> 17 in the b2nd metalayer: b2ndInfo accepts the frame,
// the decode on the pool then finds its chunks disagree.
frame[frame.indexOf(Buffer.from([0xd2, 0, 0, 0, 16])) + 4] = 17;
const ext42 = Buffer.concat([Buffer.from([0xc8, frame.length >> 8, frame.length & 255, 42]), frame]);
const message = Buffer.concat([Buffer.from([0x92]), ext42, Buffer.from([0xd4, 80, 0xff])]);
unpackAsync(message).then(
  () => console.log('value'),
  (err) => console.log('rejected ' + err.code),
);
setTimeout(() => console.log('still alive'), 300);
`;

describe('unpackAsync with a failing queued decode and a failing later record', () => {
  it('rejects with a Blosc2Error and leaves no unhandled rejection behind', () => {
    const child = spawnSync(process.execPath, ['-e', CHILD], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).not.toMatch(/triggerUncaughtException|Unhandled/);
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/rejected ERR_CORRUPT/);
    expect(child.stdout).toMatch(/still alive/);
  });
});
