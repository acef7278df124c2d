"""A smaller ``libicudata`` for the bundle: Qt's ICU data without the parts Qt never reads.

The PySide6 wheel's libicudata is 31 MB, one symbol (``icudtNN_dat``) holding ICU's data package.
Qt 6 uses ICU for collation (QCollator), locale-aware case mapping and time zones; it draws
display names, number formats and text boundaries from its own tables, and eventdesk decodes all
text in Python. So the display names (languages, regions, currencies, units, zones), number
spell-out, transliteration, break iterators and the legacy code-page converters go; what stays
is listed in docs/packaging.md. Needs ``icupkg`` (icu-devtools) and a C compiler; without them
the bundle keeps the full library (the caller decides).

    python packaging/trim_icu.py LIBICUDATA OUTPUT_DIR   -> OUTPUT_DIR/<same name>, the trimmed copy
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

# Item name patterns (inside the package) that Qt 6 never reads
DROPPED = [r"curr/.*", r"lang/.*", r"region/.*", r"unit/.*", r"zone/.*", r"rbnf/.*",
           r"translit/.*", r"brkitr/.*",
           # the locales' own formats and names (top level); English, root and the index stay
           r"(?!en\b|en_|res_index)[a-z]{2,3}(_[A-Za-z0-9]+)*\.res"]
# Converters bigger than this (the CJK multi-byte ones) go; the small single-byte code pages stay
KEPT_CONVERTER_BYTES = 100_000


def tools_present() -> bool:
    return all(shutil.which(tool) for tool in ("icupkg", "cc", "nm", "readelf"))


def data_symbol(library: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the library's one data symbol."""
    symbols = subprocess.run(["nm", "-S", "-D", "--defined-only", str(library)],
                             capture_output=True, text=True, check=True).stdout
    match = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+_dat)$", symbols, re.M)
    if not match:
        raise SystemExit(f"trim_icu: no icudtNN_dat symbol in {library}")
    address, size, name = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
    sections = subprocess.run(["readelf", "-S", "-W", str(library)],
                              capture_output=True, text=True, check=True).stdout
    rodata = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+) ([0-9a-f]+)", sections)
    if not rodata:
        raise SystemExit(f"trim_icu: no .rodata section in {library}")
    return name, address - int(rodata.group(1), 16) + int(rodata.group(2), 16), size


def big_converters(package: Path, converters: list[str], work: Path) -> list[str]:
    (work / "converters.txt").write_text("\n".join(converters) + "\n")
    (work / "cnv").mkdir()
    subprocess.run(["icupkg", "-x", str(work / "converters.txt"), "-d", str(work / "cnv"), str(package)],
                   check=True)
    return [item for item in converters if (work / "cnv" / item).stat().st_size > KEPT_CONVERTER_BYTES]


def trim(library: Path, out_dir: Path) -> Path:
    name, offset, size = data_symbol(library)
    work = out_dir / "icu-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    package = work / f"{name[:-len('_dat')]}l.dat"  # icupkg names the items after the file
    with open(library, "rb") as source:
        source.seek(offset)
        package.write_bytes(source.read(size))
    listing = subprocess.run(["icupkg", "-l", str(package)], capture_output=True, text=True,
                             check=True).stdout.split()
    dropped = [item for item in listing if any(re.fullmatch(p, item) for p in DROPPED)]
    dropped += big_converters(package, [item for item in listing if item.endswith(".cnv")], work)
    trimmed = work / "trimmed" / package.name
    trimmed.parent.mkdir()
    while True:  # icupkg refuses to leave an item whose base was dropped: drop that one too
        (work / "dropped.txt").write_text("\n".join(dropped) + "\n")
        run = subprocess.run(["icupkg", "-r", str(work / "dropped.txt"), str(package), str(trimmed)],
                             capture_output=True, text=True)
        dependents = re.findall(r"^Item (\S+) depends on missing item", run.stderr, re.M)
        if run.returncode == 0 or not dependents:
            break
        dropped += dependents
    if run.returncode != 0:
        raise SystemExit(f"trim_icu: icupkg failed: {run.stderr.strip()}")
    assembly = work / "icudata.S"
    assembly.write_text(
        f'.section .rodata\n.globl {name}\n.type {name}, @object\n.balign 16\n{name}:\n'
        f'.incbin "{trimmed}"\n.size {name}, .-{name}\n.section .note.GNU-stack,"",@progbits\n')
    output = out_dir / library.name
    subprocess.run(["cc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", str(output),
                    str(assembly)], check=True)
    print(f"trim_icu: {library.name} {library.stat().st_size >> 20} MB -> {output.stat().st_size >> 20} MB "
          f"({len(dropped)} of {len(listing)} items dropped)")
    return output


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    trim(Path(sys.argv[1]), Path(sys.argv[2]))
