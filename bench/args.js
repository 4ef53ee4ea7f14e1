'use strict';
// The bench scripts' command line: --key=value pairs (a bare --flag is 'true').
/** argv as { key: value }. */
function parseArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(
    argv.map((a) => {
      const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
      return m ? [m[1], m[2] ?? 'true'] : [a, 'true'];
    }),
  );
}

module.exports = { parseArgs };
