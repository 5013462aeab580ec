"""Flips one byte inside the .kiln.weights section of an ELF64 file.

    flip_weights_byte.py IN.so OUT.so
"""
import struct
import sys

src, dst = sys.argv[1:3]
data = bytearray(open(src, "rb").read())
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
def section(i):
    return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
strtab = section(shstrndx)
for i in range(shnum):
    name_off, _, _, _, offset, size, *_ = section(i)
    start = strtab[4] + name_off
    name = data[start:data.index(b"\0", start)].decode()
    if name == ".kiln.weights":
        data[offset + size // 2] ^= 0x01
        open(dst, "wb").write(data)
        sys.exit(0)
sys.exit("no .kiln.weights section in " + src)
