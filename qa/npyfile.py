"""Plain .npy files, written and read without copying the arrays (and never with pickle).

`pieces()` gives the bytes `np.save` would write as its small header and the array's own
memory; `view()` reads an array back as a read-only view of the file's bytes; `mapped()`
maps a file's array into memory (read-only pages shared by every process that maps it,
read from disk only when touched).
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Iterable

import numpy as np
from numpy.lib import format as npy

Pieces = list  # of bytes-like objects, written one after the other


def pieces(array: np.ndarray) -> Pieces:
    """The .npy file of an array (what np.save writes), as [header, data]."""
    array = np.ascontiguousarray(array)
    if array.dtype.hasobject:
        raise ValueError("object arrays are not stored")
    header = io.BytesIO()
    npy.write_array_header_1_0(header, npy.header_data_from_array_1_0(array))
    return [header.getvalue(), memoryview(array.reshape(-1)).cast("B")]


def write(path: Path, content: Iterable) -> str:
    """Write bytes-like pieces to a file; returns their sha256."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for piece in content:
            f.write(piece)
            h.update(piece)
    return h.hexdigest()


def view(raw: bytes) -> np.ndarray:
    """The array of an .npy file's bytes, as a read-only view of them (object arrays refused)."""
    f = io.BytesIO(raw)
    major, _ = npy.read_magic(f)
    read_header = npy.read_array_header_1_0 if major == 1 else npy.read_array_header_2_0
    shape, fortran, dtype = read_header(f)
    if dtype.hasobject or fortran:
        raise ValueError("not a plain C-ordered .npy array")
    count = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(raw, dtype=dtype, count=count, offset=f.tell()).reshape(shape)


def mapped(path: Path) -> np.ndarray:
    """The array of an .npy file, memory-mapped read-only (a plain ndarray over the mapping)."""
    array = np.load(path, mmap_mode="r", allow_pickle=False)
    if not isinstance(array, np.memmap):              # an empty array is read, not mapped
        return array
    if array.dtype.hasobject or not array.flags.c_contiguous:
        raise ValueError("not a plain C-ordered .npy array")
    return np.asarray(array)                          # a view without memmap's per-operation overhead


def is_mapped(array: np.ndarray) -> bool:
    """Whether an array's memory is a file mapping (follows the chain of views)."""
    import mmap
    base = array
    while base is not None:
        if isinstance(base, mmap.mmap):
            return True
        base = getattr(base, "base", None)
    return False
