#!/usr/bin/env python3
"""Convert scikit-learn's copy of the UCI 8x8 handwritten digits into www/data/digits.bin.

Run once, by hand; the output is committed, so nothing downloads at build or run time:

    pip download --no-deps scikit-learn==1.9.1 -d /tmp/sklearn-wheel
    python3 scripts/convert_digits.py /tmp/sklearn-wheel/scikit_learn-1.9.1-*.whl www/data/digits.bin

It reads `sklearn/datasets/data/digits.csv.gz` from the wheel (a zip; scikit-learn is not
installed): 1,797 rows of 64 pixel values 0..16 (8x8, row by row) and the class 0..9 last.
The licence and source are in www/data/DIGITS-LICENSE.md.

The file (every number little-endian; src/digits.rs reads it and refuses anything else):

    offset  bytes  field
    0       8      magic b"BPVDIGIT"
    8       1      format version, 1
    9       1      width, 8
    10      1      height, 8
    11      1      bits per pixel, 5 (0..16 is 17 levels: 4 bits cannot hold 16)
    12      1      largest pixel value, 16
    13      1      classes, 10
    14      2      image count n, 1797
    16      4      FNV-1a (32-bit) hash of every byte after the header
    20      n      labels, one byte each, in the source's order
    20 + n  ...    pixels: n x width x height values of `bits` bits each, packed least significant
                   bit first, image after image, each image row by row from the top left

After writing, the script reads its own output back and checks it against the source.
"""
import gzip
import hashlib
import struct
import sys
import zipfile

MAGIC = b"BPVDIGIT"
VERSION = 1
WIDTH = HEIGHT = 8
BITS = 5
MAX_VALUE = 16
CLASSES = 10
HEADER = struct.Struct("<8sBBBBBBHI")  # 20 bytes
MEMBER = "sklearn/datasets/data/digits.csv.gz"


def fnv1a32(data):
    h = 0x811C9DC5
    for byte in data:
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def read_source(wheel):
    with zipfile.ZipFile(wheel) as z:
        compressed = z.read(MEMBER)
    rows = []
    for line in gzip.decompress(compressed).decode("ascii").splitlines():
        if not line.strip():
            continue
        values = [float(v) for v in line.split(",")]
        if len(values) != WIDTH * HEIGHT + 1 or any(v != int(v) for v in values):
            raise SystemExit(f"unexpected row: {line[:60]}")
        values = [int(v) for v in values]
        pixels, label = values[:-1], values[-1]
        if not all(0 <= p <= MAX_VALUE for p in pixels) or not 0 <= label < CLASSES:
            raise SystemExit(f"value out of range: {line[:60]}")
        rows.append((pixels, label))
    return compressed, rows


def pack(rows):
    bits = 0
    nbits = 0
    out = bytearray()
    for pixels, _ in rows:
        for p in pixels:
            bits |= p << nbits
            nbits += BITS
            while nbits >= 8:
                out.append(bits & 0xFF)
                bits >>= 8
                nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    return bytes(out)


def unpack(payload, count):
    labels = list(payload[:count])
    packed = payload[count:]
    pixels = []
    for k in range(count * WIDTH * HEIGHT):
        bit = k * BITS
        word = int.from_bytes(packed[bit // 8 : bit // 8 + 2].ljust(2, b"\0"), "little")
        pixels.append((word >> (bit % 8)) & ((1 << BITS) - 1))
    n = WIDTH * HEIGHT
    return [(pixels[i * n : (i + 1) * n], labels[i]) for i in range(count)]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    wheel, output = sys.argv[1], sys.argv[2]
    compressed, rows = read_source(wheel)
    payload = bytes(label for _, label in rows) + pack(rows)
    header = HEADER.pack(MAGIC, VERSION, WIDTH, HEIGHT, BITS, MAX_VALUE, CLASSES, len(rows), fnv1a32(payload))
    data = header + payload
    with open(output, "wb") as f:
        f.write(data)
    # Read back what was written and compare with the source, value by value.
    with open(output, "rb") as f:
        again = f.read()
    fields = HEADER.unpack(again[: HEADER.size])
    assert fields[0] == MAGIC and fields[7] == len(rows) and fields[8] == fnv1a32(again[HEADER.size :])
    assert unpack(again[HEADER.size :], len(rows)) == rows
    counts = [sum(1 for _, label in rows if label == c) for c in range(CLASSES)]
    print(f"source {MEMBER}: {len(compressed)} bytes, sha256 {hashlib.sha256(compressed).hexdigest()}")
    print(f"wrote {output}: {len(data)} bytes, {len(rows)} images, sha256 {hashlib.sha256(data).hexdigest()}")
    print(f"images per class 0..9: {counts}")


if __name__ == "__main__":
    main()
