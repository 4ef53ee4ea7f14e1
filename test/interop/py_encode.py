"""python-blosc2 -> JS: writes one msgpack message per case with python-blosc2's
msgpack helpers, and OUTDIR/manifest.json saying what each one holds.

Usage: python3 py_encode.py OUTDIR

Expected contents are python-blosc2's own decoding of each array (``arr[()]``),
so lossy filters (truncPrec, intTrunc, ZFP) are checked byte for byte too; for
lossless parameters the script also checks that decoding gives back the source.
test/interop.test.ts unpacks every message with our `unpack` and compares
dtype, shape and the SHA-256 of the C-order bytes. Which cases our C-Blosc2
cannot read, and with which error, is listed on the TS side.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import blosc2
from interop_common import array_bytes, packb, sha256, unpackb, versions, write_json

C = blosc2.Codec
F = blosc2.Filter


def values(shape, dtype, seed=1):
    """Deterministic items that exercise every byte: wrapping products for
    integers, signed fractions plus -0.0/inf/nan for floats."""
    n = int(np.prod(shape, dtype=np.int64))
    dt = np.dtype(dtype)
    i = np.arange(n, dtype=np.uint64)
    if dt.kind == "b":
        out = ((i * np.uint64(seed + 2)) % np.uint64(3)) == 0
    elif dt.kind in "iu":
        # Low bytes of a wrapping 64-bit product, reinterpreted as the dtype.
        raw = i * np.uint64(0x9E3779B97F4A7C15 + seed)
        out = raw.astype(f"<u{dt.itemsize}").view(dt)
    else:
        out = ((i.astype(np.float64) - n / 2) * (0.37 + seed)).astype(dt)
        if n >= 4:
            out[:4] = [-0.0, np.inf, -np.inf, np.nan]
    return out.reshape(shape).astype(dt)


def cp(**kw):
    return blosc2.CParams(**kw)


def nd(shape, dtype, lossless=True, seed=1, **kw):
    src = values(shape, dtype, seed)
    arr = blosc2.asarray(src, **kw)
    if lossless:
        back = arr[()]
        if back.tobytes() != np.ascontiguousarray(src).tobytes() or back.dtype != src.dtype:
            raise AssertionError(f"python-blosc2 does not round-trip its own {dtype} {shape} array")
    return arr


def expect_nd(arr) -> dict:
    got = np.asarray(arr[()])
    data = array_bytes(got)
    return {
        "kind": "NDArray",
        "dtype": arr.dtype.str,
        "shape": list(arr.shape),
        "chunks": list(arr.chunks),
        "blocks": list(arr.blocks),
        "nchunks": arr.schunk.nchunks,
        "nbytes": len(data),
        "sha256": sha256(data),
        "head": [repr(x) for x in got.ravel()[:6].tolist()],
    }


def expect_schunk(sc) -> dict:
    data = bytes(sc[:]) if sc.nbytes else b""
    return {"kind": "SChunk", "nbytes": len(data), "sha256": sha256(data), "nchunks": sc.nchunks}


def with_user_meta():
    arr = nd((10, 3), "<f4", meta={"user": [1, 2]})
    arr.vlmeta["note"] = "hello"
    return arr


def cases():
    """(name, make) pairs; make() builds a blosc2.NDArray or SChunk."""
    dtypes = ["|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f4", "<f8", "|b1", "<f2"]
    out = []
    # Every dtype, default geometry (one chunk) and a foreign geometry with
    # padding in both dimensions (a tiled geometry: DecodeTiled).
    for dt in dtypes:
        tag = np.dtype(dt).name
        out.append((f"dtype_{tag}_default", lambda dt=dt: nd((17, 29), dt)))
        out.append((f"dtype_{tag}_chunks_5x7_blocks_2x3", lambda dt=dt: nd((17, 29), dt, chunks=(5, 7), blocks=(2, 3))))
    # Dimensions.
    out.append(("dims_0d", lambda: nd((), "<f8")))
    out.append(("dims_1d_len1", lambda: nd((1,), "<i4")))
    out.append(("dims_zero_0x5", lambda: nd((0, 5), "<f4")))
    out.append(("dims_zero_3x0x2", lambda: nd((3, 0, 2), "<i4")))
    out.append(("dims_3d_custom", lambda: nd((7, 11, 13), "<i2", chunks=(3, 4, 5), blocks=(2, 2, 3))))
    out.append(("dims_3d_default", lambda: nd((20, 30, 40), "<f8")))
    out.append(("dims_4d_default", lambda: nd((2, 3, 4, 5), "<u2")))
    # One chunk whose blocks do not tile it in C order: C-Blosc2 2.16.0 to
    # 2.21.1 wrote (and read) such a chunk unblocked, in C order; 2.21.2 on
    # (python-blosc2 4.14.1) block by block, which is how we read it.
    out.append(("dims_3d_one_chunk_column_blocks", lambda: nd((4, 9, 6), "|u1", chunks=(4, 9, 6), blocks=(4, 1, 6))))
    out.append(("dims_8d", lambda: nd((2, 2, 2, 2, 2, 2, 2, 3), "|u1", chunks=(1, 2, 1, 2, 1, 2, 1, 3), blocks=(1, 1, 1, 1, 1, 2, 1, 3))))
    # Several chunks: python's default geometry for 32 MB, a contiguous
    # geometry with a padded edge chunk (our fast path), and row chunks.
    out.append(("multichunk_default_4M_f8", lambda: nd((4_000_000,), "<f8")))
    out.append(("multichunk_1d_padded_edge", lambda: nd((1_000_003,), "<i4", chunks=(100_000,), blocks=(10_000,))))
    out.append(("multichunk_2d_rows", lambda: nd((1000, 3000), "<f4")))
    out.append(("multichunk_2d_tiles", lambda: nd((301, 257), "<u8", chunks=(64, 100), blocks=(16, 20))))
    # Codecs and levels.
    for name, codec in [("blosclz", C.BLOSCLZ), ("lz4", C.LZ4), ("lz4hc", C.LZ4HC), ("zlib", C.ZLIB), ("zstd", C.ZSTD)]:
        out.append((f"codec_{name}", lambda codec=codec: nd((300, 70), "<f8", cparams=cp(codec=codec, clevel=7), chunks=(100, 70), blocks=(25, 70))))
    out.append(("codec_zstd_clevel9_dict", lambda: nd((200_000,), "<i8", cparams=cp(codec=C.ZSTD, clevel=9, use_dict=True), chunks=(50_000,), blocks=(5_000,))))
    out.append(("codec_clevel0_memcpy", lambda: nd((100, 33), "<f4", cparams=cp(clevel=0))))
    # Filters (lossy ones are checked against python's own decoding).
    out.append(("filter_nofilter", lambda: nd((5000,), "<f8", cparams=cp(filters=[F.NOFILTER], filters_meta=[0]))))
    out.append(("filter_bitshuffle", lambda: nd((5000,), "<f8", cparams=cp(filters=[F.BITSHUFFLE], filters_meta=[0]))))
    out.append(("filter_delta_shuffle", lambda: nd((5000,), "<i4", cparams=cp(filters=[F.DELTA, F.SHUFFLE], filters_meta=[0, 0]))))
    # DELTA applied after another filter: C-Blosc2 2.17.1 decodes it after
    # BITSHUFFLE (outside the last slot) and not after SHUFFLE (refused).
    out.append(("filter_bitshuffle_delta", lambda: nd((5000,), "<i4", cparams=cp(filters=[F.BITSHUFFLE, F.DELTA], filters_meta=[0, 0]))))
    out.append(("filter_shuffle_delta", lambda: nd((5000,), "<i4", cparams=cp(filters=[F.SHUFFLE, F.DELTA], filters_meta=[0, 0]))))
    out.append(("filter_shuffle_bytedelta", lambda: nd((5000,), "<f4", cparams=cp(filters=[F.SHUFFLE, F.BYTEDELTA], filters_meta=[0, 4]))))
    out.append(("filter_truncprec_f8", lambda: nd((5000,), "<f8", lossless=False, cparams=cp(filters=[F.TRUNC_PREC, F.SHUFFLE], filters_meta=[23, 0]))))
    out.append(("filter_inttrunc_i4", lambda: nd((5000,), "<i4", lossless=False, cparams=cp(filters=[F.INT_TRUNC, F.SHUFFLE], filters_meta=[4, 0]))))
    for mode in ["ALWAYS_SPLIT", "NEVER_SPLIT", "FORWARD_COMPAT_SPLIT"]:
        out.append((f"splitmode_{mode.lower()}", lambda mode=mode: nd((5000,), "<i8", cparams=cp(splitmode=getattr(blosc2.SplitMode, mode)))))
    # C-Blosc2 plugins (python-blosc2 has them; our build has BUILD_PLUGINS=OFF).
    out.append(("plugin_codec_ndlz", lambda: nd((64, 64), "|u1", cparams=cp(codec=C.NDLZ, codec_meta=4, filters=[F.NOFILTER], filters_meta=[0]), chunks=(32, 32), blocks=(16, 16))))
    out.append(("plugin_codec_zfp_prec", lambda: nd((64, 64), "<f4", lossless=False, cparams=cp(codec=C.ZFP_PREC, codec_meta=20, filters=[F.NOFILTER], filters_meta=[0]))))
    out.append(("plugin_filter_ndcell", lambda: nd((64, 64), "<f4", cparams=cp(filters=[F.NDCELL], filters_meta=[4]), chunks=(32, 32), blocks=(16, 16))))
    # Byte orders and dtypes without a JS array type.
    out.append(("unsupported_bigendian_i4", lambda: blosc2.asarray(np.arange(10, dtype=">i4"))))
    out.append(("unsupported_complex128", lambda: blosc2.asarray(np.arange(10, dtype="<c16") * (1 + 2j))))
    out.append(("unsupported_unicode", lambda: blosc2.asarray(np.array(["ab", "cde"]))))
    out.append(("unsupported_datetime64", lambda: blosc2.asarray(np.arange(4).astype("<M8[s]"))))
    # User metalayers and variable-length metadata: a reader skips them.
    out.append(("extra_meta_and_vlmeta", with_user_meta))
    # Super-chunks: their bytes.
    out.append(("schunk_bytes_partial_last_chunk", lambda: blosc2.SChunk(chunksize=64, data=bytes(range(100)))))
    f4 = np.arange(1000, dtype="<f4")
    out.append(("schunk_typesize4", lambda: blosc2.SChunk(chunksize=1024, data=f4.tobytes(), cparams=cp(typesize=4))))
    out.append(("schunk_empty", lambda: blosc2.SChunk(chunksize=64)))
    return out


def main(outdir: str) -> None:
    os.makedirs(outdir, exist_ok=True)
    manifest = {"versions": versions(), "cases": []}
    manifest["python_errors"] = {}
    for name, make in cases():
        try:
            value = make()
        except Exception as exc:
            # Only a by-hand run against an older release may lack a feature.
            if os.environ.get("BLOSC2_INTEROP_ALLOW_FALLBACK") != "1":
                raise
            manifest["python_errors"][name] = f"{type(exc).__name__}: {exc}"
            continue
        expect = expect_schunk(value) if isinstance(value, blosc2.SChunk) else expect_nd(value)
        msg = packb({"case": name, "value": value})
        with open(os.path.join(outdir, name + ".msgpack"), "wb") as f:
            f.write(msg)
        manifest["cases"].append({"name": name, "file": name + ".msgpack", "expect": expect})

    # One envelope with arrays nested in maps and lists beside plain values.
    a = nd((3, 4), "<f8")
    b = nd((5,), "<i2")
    envelope = {
        "ints": [0, -1, 127, -32, 2**40, -(2**63), 2**64 - 1],
        "float": 1.5,
        "str": "h\u00e9llo",
        "bytes": b"\x00\x01\xff",
        "none": None,
        "flags": [True, False],
        "tuple": (1, "two"),
        "nested": {"x": [a, {"y": b}]},
    }
    msg = packb(envelope)
    # python-blosc2 must read its own message back (sanity of the sidecar).
    back = unpackb(msg)
    assert list(back["tuple"]) == [1, "two"] and back["nested"]["x"][1]["y"].shape == (5,)
    with open(os.path.join(outdir, "envelope.msgpack"), "wb") as f:
        f.write(msg)
    manifest["envelope"] = {"file": "envelope.msgpack", "a": expect_nd(a), "b": expect_nd(b)}

    # Plain NumPy arrays: python-blosc2 4.14 writes ext 46, not ext 42.
    try:
        msg = packb({
            "np": np.arange(4, dtype="<i4"),
            "m": np.arange(6, dtype="<f8").reshape(2, 3),
            "flags": np.array([True, False]),
        })
    except Exception as exc:
        if os.environ.get("BLOSC2_INTEROP_ALLOW_FALLBACK") != "1":
            raise
        manifest["python_errors"]["numpy_ext46"] = f"{type(exc).__name__}: {exc}"
        msg = b""
    with open(os.path.join(outdir, "numpy_ext46.msgpack"), "wb") as f:
        f.write(msg)
    manifest["nondata"] = nondata(outdir)
    write_json(os.path.join(outdir, "manifest.json"), manifest)


def nondata(outdir: str) -> list:
    """Frames python-blosc2 writes for things that are not arrays (lazy
    expressions, persisted objects, containers of objects), each sent as ext 42
    the way msgpack_packb sends the frame of an NDArray or SChunk, and the other
    python-blosc2 extensions (43 structured reference, 44 complex, 45 set).
    Our unpack must refuse the non-arrays, naming them, never give zeros."""
    import msgpack

    def empty_with_lazy_vlmeta(fixed_meta):
        # python-blosc2 3.x LazyExpr.save(), and 4.x LazyUDF.save() for UDFs it
        # cannot persist as b2o: an empty array carrying the expression.
        arr = blosc2.empty(shape=(10,), dtype=np.float64, meta=fixed_meta)
        arr.schunk.vlmeta["_LazyArray"] = {"expression": "o0 + o1", "UDF": None, "operands": {"o0": "a.b2nd", "o1": "b.b2nd"}}
        return arr.to_cframe()

    def b2o_lazyexpr():
        # python-blosc2 4.x LazyExpr.save(): an empty carrier with a b2o marker.
        cwd = os.getcwd()
        work = os.path.join(outdir, "lazy")
        os.makedirs(work, exist_ok=True)
        os.chdir(work)
        try:
            a = blosc2.asarray(np.arange(10, dtype=np.float64), urlpath="a.b2nd", mode="w")
            b = blosc2.asarray(np.arange(10, dtype=np.float64) * 2, urlpath="b.b2nd", mode="w")
            expr = a + b
            expr.save("lazy.b2nd", mode="w")
            with open("lazy.b2nd", "rb") as f:
                return f.read(), expr
        finally:
            os.chdir(cwd)

    def objectarray():
        oa = blosc2.ObjectArray()
        oa.append({"x": 1})
        return oa.to_cframe()

    def batcharray():
        ba = blosc2.BatchArray()
        ba.append([1, 2, 3])
        return ba.to_cframe()

    def embedstore():
        es = blosc2.EmbedStore()
        es["/x"] = np.arange(3)
        return es.to_cframe()

    frame, expr = b2o_lazyexpr()
    frames = {
        "lazyarray_meta_and_vlmeta": empty_with_lazy_vlmeta({"LazyArray": 0}),
        "lazyarray_vlmeta_only": empty_with_lazy_vlmeta({}),
        "b2o_lazyexpr": frame,
        "objectarray": objectarray(),
        "batcharray": batcharray(),
        "embedstore": embedstore(),
    }
    out = []
    for name, cframe in frames.items():
        # The carrier frames python-blosc2 writes hold no data chunks: blosc2
        # itself would give an array of zeros if asked for the NDArray.
        msg = msgpack.packb({"v": msgpack.ExtType(42, cframe)}, use_bin_type=True)
        with open(os.path.join(outdir, f"nondata_{name}.msgpack"), "wb") as f:
            f.write(msg)
        out.append({"name": name, "file": f"nondata_{name}.msgpack"})
    others = {
        "ext43_lazyexpr": {"v": expr},
        "ext44_complex": {"v": 1 + 2j},
        "ext45_set": {"v": {1, 2, 3}},
    }
    for name, value in others.items():
        with open(os.path.join(outdir, f"nondata_{name}.msgpack"), "wb") as f:
            f.write(packb(value))
        out.append({"name": name, "file": f"nondata_{name}.msgpack"})
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: py_encode.py OUTDIR")
    main(sys.argv[1])
