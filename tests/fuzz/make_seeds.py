#!/usr/bin/python3
"""Writes the seed corpus of the libFuzzer targets (tests/fuzz/corpus/<target>/).

Deterministic (fixed images, no randomness); run with Debian's /usr/bin/python3 (python3-pil).
The files are committed; re-run only to change the seeds. Protobuf messages are encoded by hand
(wire format: https://protobuf.dev/programming-guides/encoding/) to need no Python protobuf.
"""
import io
import json
import os
import struct
import sys

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gradient(mode, w, h):
    img = Image.new(mode, (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            v = (x * 7 + y * 13) % 256
            if mode == "L":
                px[x, y] = v
            elif mode == "I;16":
                px[x, y] = v * 257
            elif mode == "LA":
                px[x, y] = (v, 255 - v)
            elif mode == "P":
                px[x, y] = v % 16
            elif mode == "RGBA":
                px[x, y] = (v, 255 - v, (v * 3) % 256, 200)
            else:
                px[x, y] = (v, 255 - v, (v * 3) % 256)
    return img


def encode(img, fmt, **kw):
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def images():
    """(name, bytes) of small PNG and JPEG seeds of every layout the decoders handle."""
    seeds = [
        ("gray8.png", encode(gradient("L", 16, 12), "PNG")),
        ("gray16.png", encode(gradient("I;16", 12, 10), "PNG")),
        ("gray_alpha.png", encode(gradient("LA", 9, 9), "PNG")),
        ("rgb.png", encode(gradient("RGB", 10, 8), "PNG")),
        ("rgba.png", encode(gradient("RGBA", 8, 11), "PNG")),
        ("palette_trns.png", encode(gradient("P", 12, 12), "PNG", transparency=3)),
        ("gray.jpg", encode(gradient("L", 24, 16), "JPEG", quality=80)),
        ("color.jpg", encode(gradient("RGB", 16, 24), "JPEG", quality=80)),
        ("progressive.jpg", encode(gradient("RGB", 32, 32), "JPEG", progressive=True)),
    ]
    color = seeds[7][1]
    seeds.append(("truncated.jpg", color[: len(color) // 2] + b"\xff\xd9"))
    return seeds


def varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out


def field(num, wire, payload):
    key = varint(num << 3 | wire)
    if wire == 0:
        return key + varint(payload)
    if wire == 1:
        return key + struct.pack("<d", payload)
    return key + varint(len(payload)) + payload


def config(pairing=1, overflow=1, spacing=0.3, fps=30.0, view=b"A4C"):
    return (field(2, 2, view) + field(3, 1, spacing) + field(4, 1, spacing) +
            field(5, 0, pairing) + field(6, 0, 2) + field(7, 0, 1) + field(9, 0, overflow) +
            field(10, 1, fps) + field(11, 2, b"fuzz-seed"))


def frame(index, encoded=None, raw=None):
    msg = field(1, 0, index) + field(2, 0, index * 33333)
    if encoded is not None:
        msg += field(3, 2, encoded)
    if raw is not None:
        w, h, c, bits, data = raw
        msg += field(4, 2, field(1, 0, w) + field(2, 0, h) + field(3, 0, c) + field(4, 0, bits) +
                     field(5, 2, data))
    return msg


def main():
    for name, data in images():
        put("fuzz_frame_decode", name, b"\x00" + data)  # even first byte: encoded
    raw = b"\x10\x00\x0c\x00\x01\x08" + bytes((i * 5) % 256 for i in range(16 * 12))
    put("fuzz_frame_decode", "raw_gray8", b"\x01" + raw)

    png = images()[0][1]
    put("fuzz_request", "stream_config", field(1, 2, config()))
    put("fuzz_request", "stream_config_next", field(1, 2, config(pairing=2, fps=0)))
    put("fuzz_request", "stream_frame", field(2, 2, frame(0, encoded=png)))
    put("fuzz_request", "stream_raw_frame",
        field(2, 2, frame(0, raw=(8, 8, 1, 8, bytes(range(64))))))
    clip = field(1, 2, config()) + b"".join(field(2, 2, frame(i, encoded=png)) for i in range(3))
    put("fuzz_request", "clip", clip)
    put("fuzz_request", "clip_out_of_order",
        field(1, 2, config(overflow=2)) + field(2, 2, frame(1, encoded=png)))

    with open(os.path.join(ROOT, "models", "botm-tiny-192.json"), "rb") as f:
        card = f.read()
    put("fuzz_model_card", "botm-tiny-192.json", card)
    parsed = json.loads(card)
    minimal = {"name": parsed["name"], "class_names": parsed["class_names"],
               "config": parsed["config"]}
    put("fuzz_model_card", "minimal.json", json.dumps(minimal).encode())
    minimal["config"] = dict(parsed["config"], variant="b2", input_size=256)
    put("fuzz_model_card", "b2.json", json.dumps(minimal).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
