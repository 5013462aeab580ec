#!/usr/bin/env python3
"""Writes a kiln model that computes convolution gradients with a constant
filter: the input gradient at stride 2 with symmetric padding, the filter
gradient of the same convolution, and the input gradient of a SAME
convolution at stride 2 on an even size (asymmetric padding).

usage: make_conv_gradients_model.py OUT.mlir
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_conv_model import dense, write_model  # noqa: E402


def main():
    t = lambda *s: "tensor<" + "x".join(map(str, s)) + "xf32>"
    x, w, dy, dx2, dy2 = t(2, 9, 9, 3), t(3, 3, 3, 4), t(2, 5, 5, 4), t(2, 8, 8, 3), t(2, 4, 4, 4)
    lines = [
        f"func.func @grads(%x: {x} {{kiln.name = \"x\"}}, %dy: {dy} {{kiln.name = \"dy\"}}, "
        f"%dy2: {dy2} {{kiln.name = \"dy2\"}}) -> ({x}, {w}, {dx2}) {{",
        f"  %w = kiln.constant {dense([3, 3, 3, 4], 7)}",
        f"  %dx = kiln.conv2d_backprop_input %dy, %w {{input_shape = array<i64: 2, 9, 9, 3>, "
        f"strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}} : ({dy}, {w}) -> {x}",
        f"  %dw = kiln.conv2d_backprop_filter %x, %dy {{filter_shape = array<i64: 3, 3, 3, 4>, "
        f"strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}} : ({x}, {dy}) -> {w}",
        f"  %dx2 = kiln.conv2d_backprop_input %dy2, %w {{input_shape = array<i64: 2, 8, 8, 3>, "
        f"strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>}} : ({dy2}, {w}) -> {dx2}",
        f"  return %dx, %dw, %dx2 : {x}, {w}, {dx2}",
        "}",
    ]
    write_model(sys.argv[1], lines)


if __name__ == "__main__":
    main()
