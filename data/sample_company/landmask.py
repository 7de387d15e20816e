"""`global_land_mask`'s land test for the service area only, without its 8-second import.

`global_land_mask.globe` decompresses its whole 1 km world mask (about 930 MB) when imported.
The service area needs a few dozen rows of it, so this module streams the same compressed file
and keeps only the rows of the bounding box. Lookups use the package's own index arithmetic, so
the answers are identical to `globe.is_land` inside the box.
"""

from __future__ import annotations

import importlib.util
import io
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from .geography_box import BBOX_LAT, BBOX_LON


@lru_cache(maxsize=1)
def _window() -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    # find the package's data file without importing it: its __init__ loads the whole mask
    spec = importlib.util.find_spec("global_land_mask")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("global-land-mask is not installed (pip install -e '.[sample]')")
    path = Path(list(spec.submodule_search_locations)[0]) / "globe_combined_mask_compressed.npz"
    with zipfile.ZipFile(path) as z:
        lat = np.load(io.BytesIO(z.read("lat.npy")))
        lon = np.load(io.BytesIO(z.read("lon.npy")))
        info = z.getinfo("mask.npy")
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise RuntimeError("unexpected compression of the global land mask")
        with open(path, "rb") as raw_fh:  # the member's deflate stream, read past its header
            raw_fh.seek(info.header_offset)
            header = raw_fh.read(30)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            raw_fh.seek(info.header_offset + 30 + name_len + extra_len)
            compressed = raw_fh.read(info.compress_size)
    stream = _Inflater(compressed)
    fmt = np.lib.format
    head = io.BytesIO(stream.take(1024))
    major, _ = fmt.read_magic(head)
    read_header = fmt.read_array_header_1_0 if major == 1 else fmt.read_array_header_2_0
    shape, fortran, dtype = read_header(head)
    if fortran or len(shape) != 2:
        raise RuntimeError("unexpected layout of the global land mask")
    rows = _index(np.array(BBOX_LAT), lat)
    first, last = int(rows.min()), int(rows.max())
    row_bytes = shape[1] * dtype.itemsize
    stream.skip(head.tell() - 1024 + first * row_bytes)
    raw = stream.take((last - first + 1) * row_bytes)
    ocean = np.frombuffer(raw, dtype=dtype).reshape(last - first + 1, shape[1])
    return ocean, lat, lon, first


class _Inflater:
    """Sequential reads from a raw deflate stream, skipping without keeping what it skips."""

    CHUNK = 1 << 24

    def __init__(self, data: bytes) -> None:
        self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        self._tail = data
        self._buf = b""

    def _fill(self, n: int) -> None:
        while len(self._buf) < n:
            out = self._d.decompress(self._tail, max(n - len(self._buf), self.CHUNK))
            self._tail = self._d.unconsumed_tail
            if not out:
                raise RuntimeError("global land mask ends early")
            self._buf += out

    def take(self, n: int) -> bytes:
        self._fill(n)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def skip(self, n: int) -> None:
        if n < 0:  # give back what the header read did not use
            raise ValueError("cannot skip backwards")
        while n > 0:
            if not self._buf:
                self._fill(min(n, self.CHUNK))
            k = min(n, len(self._buf))
            self._buf = self._buf[k:]
            n -= k


def _index(x: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """global_land_mask.globe's lat_to_index / lon_to_index (inside the axis range)."""
    return ((x - axis[0]) / (axis[1] - axis[0])).astype("int")


def is_land(lat, lon) -> np.ndarray | bool:
    """True where the point is on land; points must lie in the service area's bounding box."""
    lat_a, lon_a = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    if np.any((lat_a < BBOX_LAT[0]) | (lat_a > BBOX_LAT[1])) or np.any(
        (lon_a < BBOX_LON[0]) | (lon_a > BBOX_LON[1])
    ):
        raise ValueError("point outside the service area's bounding box")
    ocean, lat_axis, lon_axis, first = _window()
    land = ~ocean[_index(lat_a, lat_axis) - first, _index(lon_a, lon_axis)]
    return bool(land) if land.ndim == 0 else land
