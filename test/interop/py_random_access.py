"""python-blosc2's side of the random-access interop test (test/interop-random-access.test.ts).

    py_random_access.py slices <cases.json> <out.json>
        Python's own slicing of range(n) for each {n, sel} (sel: an index, or [start, stop, step]).
    py_random_access.py make <dir>
        Writes frames python-blosc2 makes (tiled chunks and blocks, several dtypes and codecs)
        as <dir>/<name>.b2frame, and <dir>/made.json listing them.
    py_random_access.py select <frame-file> <selections.json> <out.json> [numpy]
        Opens the frame with blosc2.open (and checks blosc2.ndarray_from_cframe on its bytes
        gives the same array), and writes {shape, dtype, hex} of arr[sel] for each selection
        (with "numpy": of arr[...][sel], NumPy slicing the whole array).
"""

from __future__ import annotations

import os
import sys

import numpy as np

import blosc2
from interop_common import read_json, write_json


def to_key(selection):
    """Our JSON selection (per dimension an index, null, or [start, stop, step]) as a Python key."""
    if selection is None:
        return ()
    if isinstance(selection, int):
        return selection
    items = []
    for item in selection:
        if item is None:
            items.append(slice(None))
        elif isinstance(item, list):
            items.append(slice(*item))
        else:
            items.append(item)
    return tuple(items)


def cmd_slices(cases_path, out_path):
    out = []
    for case in read_json(cases_path):
        n, sel = case["n"], case["sel"]
        values = list(range(n))
        try:
            got = values[sel] if isinstance(sel, int) else values[slice(*sel)]
            out.append(got if isinstance(got, list) else [got])
        except IndexError:
            out.append("IndexError")
    write_json(out_path, out)


MADE = [
    # name, shape, dtype, chunks, blocks, cparams
    ("f8-2d-tiled", (37, 53), "<f8", (8, 16), (4, 8), {"codec": blosc2.Codec.ZSTD, "clevel": 5}),
    ("i4-3d-tiled", (9, 10, 11), "<i4", (4, 3, 5), (2, 3, 2), {"codec": blosc2.Codec.LZ4, "clevel": 9}),
    ("u1-1d-padded", (1001,), "|u1", (128,), (48,), {"codec": blosc2.Codec.BLOSCLZ, "clevel": 5}),
    ("i2-4d", (5, 6, 7, 8), "<i2", (2, 3, 4, 5), (1, 2, 2, 3), {"codec": blosc2.Codec.ZLIB, "clevel": 3}),
    ("f4-default", (300, 200), "<f4", None, None, {}),
    ("b1-2d", (40, 30), "|b1", (16, 16), (8, 8), {}),
    ("i8-zeros-2d", (64, 64), "<i8", (16, 32), (8, 8), {}),
    # python-blosc2 4.14.1 hangs slicing this one (arr[11:, :]): C-Blosc2 skips block 0 with
    # its block mask while its other threads wait to undo DELTA against it. The test
    # compares with NumPy's slices of the whole array instead.
    ("f8-delta", (50, 40), "<f8", (20, 40), (5, 40), {"filters": [blosc2.Filter.DELTA, blosc2.Filter.SHUFFLE], "filters_meta": [0, 0]}),
]


def cmd_make(out_dir):
    rng = np.random.default_rng(1234)
    made = []
    for name, shape, dtype, chunks, blocks, cparams in MADE:
        size = int(np.prod(shape))
        if dtype == "|b1":
            data = rng.integers(0, 2, size=size).astype(bool).reshape(shape)
        elif name.startswith("i8-zeros"):
            data = np.zeros(shape, dtype=dtype)
            data[40:, 5:9] = np.arange(24 * 4).reshape(24, 4)
        else:
            data = (np.sin(np.arange(size) / 7.0) * 100 + np.arange(size) % 13).astype(dtype).reshape(shape)
        kwargs = {"cparams": cparams} if cparams else {}
        if chunks is not None:
            kwargs.update(chunks=chunks, blocks=blocks)
        arr = blosc2.asarray(data, **kwargs)
        path = os.path.join(out_dir, name + ".b2frame")
        with open(path, "wb") as f:
            f.write(arr.to_cframe())
        made.append({"name": name, "path": path, "shape": list(shape), "dtype": np.dtype(dtype).str,
                     "chunks": list(arr.chunks), "blocks": list(arr.blocks), "numpy": name == "f8-delta"})
    write_json(os.path.join(out_dir, "made.json"), made)


def cmd_select(frame_path, selections_path, out_path, how="blosc2"):
    arr = blosc2.open(frame_path, mode="r")
    with open(frame_path, "rb") as f:
        from_bytes = blosc2.ndarray_from_cframe(f.read())
    whole = arr[()] if arr.ndim == 0 else arr[...]
    if not np.array_equal(np.asarray(from_bytes[...]), np.asarray(whole)):
        raise SystemExit("blosc2.open and blosc2.ndarray_from_cframe disagree")
    out = {"shape": list(arr.shape), "chunks": list(arr.chunks), "blocks": list(arr.blocks), "results": []}
    source = np.asarray(whole) if how == "numpy" else arr
    for selection in read_json(selections_path):
        got = np.asarray(source[to_key(selection)])  # tobytes() is in C order; ascontiguousarray would make 0-d 1-d
        out["results"].append({"shape": list(got.shape), "dtype": got.dtype.str, "hex": got.tobytes().hex()})
    write_json(out_path, out)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"slices": cmd_slices, "make": cmd_make, "select": cmd_select}[command](*args)
