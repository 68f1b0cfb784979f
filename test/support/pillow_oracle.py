# Reference values for test/domain/perceptualHash.test.ts, from Pillow + SciPy (Debian:
# apt-get install python3-pil python3-scipy), following the algorithm in
# test/fixtures/README.md. Usage: python3 pillow_oracle.py FILE...
# Prints one JSON object per file: the sha256 of Pillow's 32x32 LANCZOS grey pixels, and the pHash.
import hashlib, json, sys
import numpy
from PIL import Image
from scipy.fftpack import dct

for path in sys.argv[1:]:
    small = Image.open(path).convert("L").resize((32, 32), Image.LANCZOS)
    pixels = numpy.asarray(small, dtype=numpy.uint8)
    block = dct(dct(pixels.astype(numpy.float64), axis=0), axis=1)[:8, :8]
    value = 0
    for bit in (block > numpy.median(block)).flatten():
        value = (value << 1) | int(bit)
    print(json.dumps({"file": path, "pixels_sha256": hashlib.sha256(pixels.tobytes()).hexdigest(), "phash": "%016x" % value}))
