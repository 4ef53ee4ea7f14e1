// unpackAsync on a hostile message: a frame whose decode fails on the thread
// pool, followed by a record that fails synchronously. The queued decode must
// not surface as an unhandled rejection (which kills a Node process by
// default: one message from a peer would take a server down). Run in a child
// so that the crash, if it happens, fails this test rather than the runner.
import { describe, expect, it } from 'vitest';
import { runNode } from '../support/child';

const CHILD = `
const { unpackAsync } = require('./test/support/load.cjs').loadLibrary();
const { ext42 } = require('./test/support/bytes.ts');
const fs = require('node:fs');
const frame = Buffer.from(fs.readFileSync('./test/fixtures/hardening-arange-2d.b2frame'));
// chunkshape[0] 16 -> 17 in the b2nd metalayer: b2ndInfo accepts the frame,
// the decode on the pool then finds its chunks disagree.
frame[frame.indexOf(Buffer.from([0xd2, 0, 0, 0, 16])) + 4] = 17;
const message = Buffer.concat([Buffer.from([0x92]), ext42(frame), Buffer.from([0xd4, 80, 0xff])]);
unpackAsync(message).then(
  () => console.log('value'),
  (err) => console.log('rejected ' + err.code),
);
setTimeout(() => console.log('still alive'), 300);
`;

describe('unpackAsync with a failing queued decode and a failing later record', () => {
  it('rejects with a Blosc2Error and leaves no unhandled rejection behind', () => {
    const child = runNode(['-e', CHILD], { timeoutMs: 60_000 });
    expect(child.stderr).not.toMatch(/triggerUncaughtException|Unhandled/);
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/rejected ERR_CORRUPT/);
    expect(child.stdout).toMatch(/still alive/);
  });
});
