#!/usr/bin/env python3
"""Writes a kiln model whose work is three convolutions with constant
filters, one per cuDNN call sequence the CUDA device uses: SAME padding +
bias + ReLU (fused), stride 2 + dilation-free 2x2 + bias (convolution, then
a bias add), and 1x1 + ReLU (convolution, then an in-place ReLU).

usage: make_conv_model.py OUT.mlir
"""
import sys


def values(count, seed):
    # A small linear congruential generator: the same model everywhere.
    out, state = [], seed
    for _ in range(count):
        state = (state * 1103515245 + 12345) % (1 << 31)
        out.append(round((state / (1 << 31)) * 2 - 1, 4))
    return out


def dense(shape, seed):
    flat = values(eval("*".join(map(str, shape))), seed)

    def nest(level, flat):
        if level == len(shape) - 1:
            return "[" + ", ".join(repr(v) for v in flat) + "]"
        step = len(flat) // shape[level]
        return "[" + ", ".join(nest(level + 1, flat[i * step:(i + 1) * step])
                               for i in range(shape[level])) + "]"

    return f"dense<{nest(0, flat)}> : tensor<{'x'.join(map(str, shape))}xf32>"


def write_model(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    t = lambda *s: "tensor<" + "x".join(map(str, s)) + "xf32>"
    lines = [
        f"func.func @convs(%x: {t(2, 9, 9, 3)} {{kiln.name = \"x\"}}) -> {t(2, 4, 4, 4)} {{",
        f"  %w1 = kiln.constant {dense([3, 3, 3, 8], 1)}",
        f"  %b1 = kiln.constant {dense([8], 2)}",
        f"  %w2 = kiln.constant {dense([2, 2, 8, 6], 3)}",
        f"  %b2 = kiln.constant {dense([6], 4)}",
        f"  %w3 = kiln.constant {dense([1, 1, 6, 4], 5)}",
        f"  %c1 = kiln.conv2d %x, %w1 {{padding = array<i64: 1, 1, 1, 1>}} : ({t(2, 9, 9, 3)}, {t(3, 3, 3, 8)}) -> {t(2, 9, 9, 8)}",
        f"  %a1 = kiln.add %c1, %b1 : ({t(2, 9, 9, 8)}, {t(8)}) -> {t(2, 9, 9, 8)}",
        f"  %r1 = kiln.relu %a1 : {t(2, 9, 9, 8)}",
        f"  %c2 = kiln.conv2d %r1, %w2 {{strides = array<i64: 2, 2>}} : ({t(2, 9, 9, 8)}, {t(2, 2, 8, 6)}) -> {t(2, 4, 4, 6)}",
        f"  %a2 = kiln.add %c2, %b2 : ({t(2, 4, 4, 6)}, {t(6)}) -> {t(2, 4, 4, 6)}",
        f"  %c3 = kiln.conv2d %a2, %w3 : ({t(2, 4, 4, 6)}, {t(1, 1, 6, 4)}) -> {t(2, 4, 4, 4)}",
        f"  %r3 = kiln.relu %c3 : {t(2, 4, 4, 4)}",
        f"  return %r3 : {t(2, 4, 4, 4)}",
        "}",
    ]
    write_model(sys.argv[1], lines)


if __name__ == "__main__":
    main()
