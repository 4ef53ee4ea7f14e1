"""JS -> python-blosc2: decodes the messages test/interop.test.ts packed, with
python-blosc2's msgpack helpers, and checks every entry the manifest lists.

Usage: python3 py_decode.py INDIR

INDIR/manifest.json:
  {"messages": [{"name", "file", "entries": [{"path": [key or index, ...], "expect": E}]}],
   "cframes":  [{"name", "file", "expect": E}]}     (out-of-band buffers: bare CFrames)
E is one of
  {"kind": "NDArray", "dtype", "shape", "nbytes", "sha256", "js": str | null}
  {"kind": "numpy", "dtype", "shape", "nbytes", "sha256"}   ext 46, read as a numpy.ndarray
  {"kind": "ext", "code", "hex"}      python-blosc2 has no decoder for this ext type
  {"kind": "plain", "value"}          a plain msgpack value (JSON-comparable)

Prints one JSON report on stdout: {"versions", "results": [{"name", "path", "ok", "detail"}]}.
Exits 0 when the report was written, whatever it says; the TS test asserts each result.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

import msgpack
import numpy as np

import blosc2
from interop_common import array_bytes, from_cframe, read_json, sha256, unpackb, versions


def check(value, expect) -> str | None:
    """None when value is what expect describes, else what differs."""
    kind = expect["kind"]
    if kind == "plain":
        if isinstance(value, tuple):
            value = list(value)
        return None if value == expect["value"] else f"got {value!r}, want {expect['value']!r}"
    if kind == "ext":
        if not isinstance(value, msgpack.ExtType):
            return f"got {type(value).__name__}, want msgpack.ExtType({expect['code']})"
        if value.code != expect["code"] or value.data.hex() != expect["hex"]:
            return f"got ExtType({value.code}, {value.data.hex()}), want ExtType({expect['code']}, {expect['hex']})"
        return None
    if kind == "numpy":
        if not isinstance(value, np.ndarray):
            return f"got {type(value).__name__}, want numpy.ndarray"
        problems = []
        if value.dtype.str != expect["dtype"]:
            problems.append(f"dtype {value.dtype.str} != {expect['dtype']}")
        if list(value.shape) != expect["shape"]:
            problems.append(f"shape {list(value.shape)} != {expect['shape']}")
        data = array_bytes(value)
        if len(data) != expect["nbytes"]:
            problems.append(f"{len(data)} bytes != {expect['nbytes']}")
        elif sha256(data) != expect["sha256"]:
            problems.append(f"items differ (first items {value.ravel()[:6].tolist()})")
        return "; ".join(problems) or None
    if not isinstance(value, blosc2.NDArray):
        return f"got {type(value).__name__}, want blosc2.NDArray"
    problems = []
    if value.dtype.str != expect["dtype"]:
        problems.append(f"dtype {value.dtype.str} != {expect['dtype']}")
    if list(value.shape) != expect["shape"]:
        problems.append(f"shape {list(value.shape)} != {expect['shape']}")
    meta = value.schunk.meta
    js = meta["js"] if "js" in meta else None
    if js != expect["js"]:
        problems.append(f"js metalayer {js!r} != {expect['js']!r}")
    data = array_bytes(np.asarray(value[()]))
    if len(data) != expect["nbytes"]:
        problems.append(f"{len(data)} bytes != {expect['nbytes']}")
    elif sha256(data) != expect["sha256"]:
        head = np.asarray(value[()]).ravel()[:6].tolist()
        problems.append(f"items differ (sha256 {sha256(data)} != {expect['sha256']}; first items {head})")
    return "; ".join(problems) or None


def _safe_unpackb():
    try:
        from blosc2.msgpack_utils import msgpack_unpackb

        msgpack_unpackb(b"\x90", deserialize="safe")
        return lambda payload: msgpack_unpackb(payload, deserialize="safe")
    except Exception:  # releases without the deserialize policy
        return None


SAFE_UNPACKB = _safe_unpackb()


def walk(value, path):
    for key in path:
        value = value[key]
    return value


def main(indir: str) -> None:
    manifest = read_json(os.path.join(indir, "manifest.json"))
    results = []

    def record(name, path, fn):
        try:
            detail = fn()
        except Exception as exc:  # one broken entry must not hide the others
            detail = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        results.append({"name": name, "path": path, "ok": detail is None, "detail": detail})

    for msg in manifest["messages"]:
        with open(os.path.join(indir, msg["file"]), "rb") as f:
            payload = f.read()
        try:
            decoded = unpackb(payload)
        except Exception as exc:
            for entry in msg["entries"]:
                results.append({"name": msg["name"], "path": entry["path"], "ok": False,
                                "detail": f"the message does not decode: {type(exc).__name__}: {exc}"})
            continue
        # Messages of plain values and NumPy records must also pass python-blosc2's
        # "safe" policy (what it uses for data from elsewhere): it reads ext 46.
        safe = None
        if msg.get("safe") and SAFE_UNPACKB is not None:
            try:
                safe = SAFE_UNPACKB(payload)
            except Exception as exc:
                safe = exc
        for entry in msg["entries"]:
            def both(e=entry):
                detail = check(walk(decoded, e["path"]), e["expect"])
                if detail or not msg.get("safe") or SAFE_UNPACKB is None:
                    return detail
                if isinstance(safe, Exception):
                    return f"deserialize='safe' refused the message: {type(safe).__name__}: {safe}"
                detail = check(walk(safe, e["path"]), e["expect"])
                return f"deserialize='safe': {detail}" if detail else None

            record(msg["name"], entry["path"], both)

    for frame in manifest.get("cframes", []):
        def from_file(fr=frame):
            with open(os.path.join(indir, fr["file"]), "rb") as f:
                return check(from_cframe(f.read()), fr["expect"])

        record(frame["name"], [], from_file)

    json.dump({"versions": versions(), "results": results}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: py_decode.py INDIR")
    main(sys.argv[1])
