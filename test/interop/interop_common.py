"""Shared helpers of the python-blosc2 interop scripts (driven by test/interop.test.ts).

The msgpack helpers come from ``blosc2.msgpack_utils`` (python-blosc2 >= 4.2).
Older releases lack that module; for them (only when the environment variable
BLOSC2_INTEROP_ALLOW_FALLBACK=1 asks for it) the same ext 42 hooks are built
here from ``to_cframe`` / ``from_cframe``, so that releases bundling older
C-Blosc2 versions can be checked by hand. The CI run never falls back.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

import msgpack
import numpy as np

import blosc2

try:
    from blosc2 import msgpack_utils as _mu

    CODEC = "blosc2.msgpack_utils"
    packb = _mu.msgpack_packb
    unpackb = _mu.msgpack_unpackb
except ImportError:  # python-blosc2 < 4.2
    if os.environ.get("BLOSC2_INTEROP_ALLOW_FALLBACK") != "1":
        raise
    CODEC = "fallback (ext 42 = to_cframe/from_cframe)"

    def packb(value):
        def default(obj):
            if isinstance(obj, (blosc2.NDArray, blosc2.SChunk)):
                return msgpack.ExtType(42, obj.to_cframe())
            raise TypeError(f"cannot pack {type(obj)}")

        return msgpack.packb(value, default=default, use_bin_type=True)

    def unpackb(payload):
        def ext_hook(code, data):
            if code == 42:
                return from_cframe(data)
            return msgpack.ExtType(code, data)

        return msgpack.unpackb(payload, ext_hook=ext_hook)


def from_cframe(data: bytes):
    """blosc2.from_cframe, or its pieces in older releases (3.3.x) that lack it."""
    if hasattr(blosc2, "from_cframe"):
        return blosc2.from_cframe(data, copy=True)
    if "b2nd" in blosc2.schunk_from_cframe(data, copy=False).meta:
        return blosc2.ndarray_from_cframe(data, copy=True)
    return blosc2.schunk_from_cframe(data, copy=True)


def versions() -> dict:
    """What this interpreter has: the versions the report names."""
    return {
        "python": sys.version.split()[0],
        "blosc2": blosc2.__version__,
        "cblosc2": str(blosc2.blosclib_version).split()[0],
        "msgpack": ".".join(map(str, msgpack.version)),
        "numpy": np.__version__,
        "codec": CODEC,
    }


def array_bytes(arr: np.ndarray) -> bytes:
    """The items in C order, little-endian, as our JS side lays them out."""
    return np.ascontiguousarray(arr).tobytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_json(path: str, value) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, sort_keys=True)


def read_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


if __name__ == "__main__":
    # `python3 interop_common.py` prints the versions: the TS test's probe.
    print(json.dumps(versions()))
