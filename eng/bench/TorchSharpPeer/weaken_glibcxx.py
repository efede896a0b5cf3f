#!/usr/bin/env python3
"""Marks a shared library's need of a symbol version WEAK, so the loader accepts an older libstdc++.

Usage: weaken_glibcxx.py LIBRARY.so [VERSION ...]     (VERSION defaults to GLIBCXX_3.4.32)

TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and so asks for GLIBCXX_3.4.32, which
Debian 12's libstdc++ (GCC 12, up to GLIBCXX_3.4.30) lacks: loading fails with "version `GLIBCXX_3.4.32' not found".
The only symbol behind that version is std::ios_base_library_init(), which GCC 13's <iostream> references only to pull
the stream initialiser into the link; the library has no relocation against it, so nothing ever looks it up. Setting
VER_FLG_WEAK on the version-need entry (a Vernaux in .gnu.version_r) turns the loader's fatal error into nothing
(ldd still prints "weak version `GLIBCXX_3.4.32' not found", as a warning).

Run it on the COPY in a build's output folder, never on the NuGet cache's file. It writes a new file and renames it
over LIBRARY.so, so a copy that is a hard or symbolic link into the cache leaves the cache untouched. Idempotent:
prints "nothing to change" when the version is already weak or not needed. ELF64 little-endian only.
"""
import os
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def weaken(path, versions):
    with open(path, "rb") as f:
        elf = bytearray(f.read())
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise SystemExit(f"{path}: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info
        return struct.unpack_from("<IIQQQQII", elf, shoff + i * shentsize)

    def cstr(offset):
        return elf[offset:elf.index(0, offset)].decode()

    changed = []
    for i in range(shnum):
        _, sh_type, _, _, offset, _, link, count = section(i)
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab = section(link)[4]
        need = offset
        for _ in range(count):  # Verneed: vn_version, vn_cnt, vn_file, vn_aux, vn_next
            _, cnt, _, aux, nxt = struct.unpack_from("<HHIII", elf, need)
            entry = need + aux
            for _ in range(cnt):  # Vernaux: vna_hash, vna_flags, vna_other, vna_name, vna_next
                _, flags, _, name, anext = struct.unpack_from("<IHHII", elf, entry)
                if cstr(strtab + name) in versions and not flags & VER_FLG_WEAK:
                    struct.pack_into("<H", elf, entry + 4, flags | VER_FLG_WEAK)
                    changed.append(cstr(strtab + name))
                entry += anext
            need += nxt
    if changed:
        with open(path + ".tmp", "wb") as f:
            f.write(elf)
        os.chmod(path + ".tmp", os.stat(path).st_mode & 0o7777)
        os.replace(path + ".tmp", path)
    return changed


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    changed = weaken(sys.argv[1], set(sys.argv[2:]) or {"GLIBCXX_3.4.32"})
    print(f"weaken_glibcxx: {sys.argv[1]}: " + (f"marked {', '.join(changed)} weak" if changed else "nothing to change"))


if __name__ == "__main__":
    main()
