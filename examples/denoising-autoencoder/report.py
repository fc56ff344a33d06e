#!/usr/bin/env python3
"""The denoising example's result: the test set's mean squared error of the
noisy input and of the denoised output against the clean images, and a PNG
with 8 test images in three rows (noisy, denoised, clean), written with the
standard library's zlib (no plotting package needed).

    report.py OUT_DIR DENOISED.npy PICTURE.png
"""
import json
import os
import struct
import sys
import zlib

import numpy as np

out, denoised_path, picture = sys.argv[1:4]
noisy = np.load(os.path.join(out, "test_noisy.npy"))
clean = np.load(os.path.join(out, "test_clean.npy"))
denoised = np.load(denoised_path).reshape(clean.shape)
print(json.dumps({
    "test_images": int(clean.shape[0]),
    "mse_noisy_vs_clean": round(float(np.mean((noisy - clean) ** 2)), 5),
    "mse_denoised_vs_clean": round(float(np.mean((denoised - clean) ** 2)), 5),
}))

# 3 rows x 8 images of 28x28, 2-pixel white gaps, scaled up 3x.
rows = [noisy[:8, :, :, 0], denoised[:8, :, :, 0], clean[:8, :, :, 0]]
gap, scale = 2, 3
h = 3 * 28 + 4 * gap
w = 8 * 28 + 9 * gap
canvas = np.ones((h, w), np.float32)
for r, images in enumerate(rows):
    for i, img in enumerate(images):
        y, x = gap + r * (28 + gap), gap + i * (28 + gap)
        canvas[y:y + 28, x:x + 28] = img
canvas = np.kron(canvas, np.ones((scale, scale), np.float32))
pixels = (np.clip(canvas, 0, 1) * 255).astype(np.uint8)


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


raw = b"".join(b"\x00" + row.tobytes() for row in pixels)
with open(picture, "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n")
    f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", pixels.shape[1],
                                       pixels.shape[0], 8, 0, 0, 0, 0)))
    f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
    f.write(chunk(b"IEND", b""))
