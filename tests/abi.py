#!/usr/bin/env python3
"""The ABI check: for each shared library, the symbols it exports, the names its
version script lists, and the NTLM_API functions its public headers declare are
the same three sets. A function declared but not listed is missing from the
library; one listed but not declared is an accident; either fails.

Usage: abi.py LIBRARY.so MAPFILE HEADER...   (prints one line per difference)
"""
import re
import subprocess
import sys


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    names = {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
    return {n for n in names if not re.fullmatch(r"[A-Z0-9_]+", n)}  # the version node


def listed(mapfile):
    text = re.sub(r"/\*.*?\*/", "", open(mapfile).read(), flags=re.S)
    body = text.split("global:", 1)[1].split("local:", 1)[0]
    return {s.strip() for s in body.split(";") if s.strip()}


def declared(headers):
    names = set()
    for h in headers:
        text = open(h).read()
        for decl in re.findall(r"^NTLM_API\b[^;{]*?\(", text, flags=re.M):
            names.add(re.search(r"(\w+)\s*\($", decl).group(1))
    return names


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    lib, mapfile, headers = argv[1], argv[2], argv[3:]
    e, l, d = exported(lib), listed(mapfile), declared(headers)
    if "*" in "".join(l):
        print("%s: a wildcard in the list exports whatever matches it" % mapfile)
        return 1
    bad = 0
    for name in sorted(d - l):
        print("declared but not in %s: %s" % (mapfile, name)); bad += 1
    for name in sorted(l - d):
        print("in %s but declared nowhere: %s" % (mapfile, name)); bad += 1
    for name in sorted(e - l):
        print("exported but not listed: %s" % name); bad += 1
    for name in sorted(l - e):
        print("listed but not exported: %s" % name); bad += 1
    print("abi: %s exports %d symbols, %d differences" % (lib.rsplit("/", 1)[-1], len(e), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
