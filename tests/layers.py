#!/usr/bin/env python3
"""The library's rooms depend downwards only.

lib/base depends on nothing of ours; lib/wire and lib/crypto on base; lib/store
on crypto, wire and base (never on the engine); lib/engine on store, wire,
crypto and base; lib/sspi, the face, on everything below. The faces outside
lib/ that are checked here (gss/, dcom/) see the public headers they sit on and
lib/base only. Every #include of a
library file must name a header of its own room, of a room below, or a public
header its room may use; nothing in lib/ may include the tools', rpc's or
tests' headers. There is no umbrella header: the library's files, and the
programs above it (tools, rpc, tests), include what they use. The public
headers include only each other. Editing files in place (flock, rename, mkostemp) is the tools' side
(tools/ntlm_passwd_file.c): the library only reads its files.

Usage: layers.py [ROOT]            check the tree (default: the checkout)
       layers.py --self-test [ROOT] check the tree, then plant each kind of
                                    wrong include and fail unless it is caught
"""
import os
import re
import sys

BELOW = {
    "base": set(),
    "wire": {"base"},
    "crypto": {"base"},
    "store": {"wire", "crypto", "base"},
    "engine": {"store", "wire", "crypto", "base"},
    "sspi": {"engine", "store", "wire", "crypto", "base"},
}
# Public headers and the rooms that may include them (None: every room).
PUBLIC = {"ntlmssp/ntlmssp.h": None, "ntlmssp/sspi.h": {"sspi"}, "ntlmssp/rpc.h": set(),
          "ntlmssp/dcom.h": set()}
# Faces outside lib/ that sit on the public API of libntlmssp.so (one engine per
# process): they may include the public header, the base (the bounded reader,
# linked privately) and their own headers, never an engine room's. Some also sit
# on other public APIs: dcom/ on librpcntlm's rpc.h and its own dcom.h.
FACES = {"gss": {"base"}, "dcom": {"base"}}
FACE_PUBLIC = {"gss": set(), "dcom": {"ntlmssp/rpc.h", "ntlmssp/dcom.h"}}
# Programs whose main file sits in a face's directory but which are built as
# executables over the static engine (like rpc/'s demos), not into the face's
# library: they are applications, above every room, and not checked here.
FACE_PROGRAMS = {"gss": set(), "dcom": {"demo_server.c", "demo_client.c"}}
EDITING = re.compile(r"\b(flock|rename|renameat2?|mkostemp|mkstemp)\s*\(")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def load(root):
    """{relative path: text} of every library source and public header."""
    files = {}
    for top in ("lib", os.path.join("include", "ntlmssp"), *FACES):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".c", ".h")):
                    p = os.path.join(d, n)
                    with open(p, encoding="utf-8") as f:
                        files[os.path.relpath(p, root)] = f.read()
    return files


def room_of(path):
    parts = path.split(os.sep)
    return parts[1] if parts[0] == "lib" and len(parts) == 3 else None


def problems(files):
    owner = {}  # header name as included -> room
    for path in files:
        room = room_of(path)
        if room and path.endswith(".h"):
            owner[os.path.basename(path)] = room
    out = []
    for path, text in sorted(files.items()):
        face = path.split(os.sep)[0]
        if face in FACES:
            if os.path.basename(path) not in FACE_PROGRAMS[face]:
                out += face_problems(path, text, face, owner, files)
            continue
        room = room_of(path)
        public = path.startswith(os.path.join("include", "ntlmssp"))
        if not room and not public:
            continue
        if room and room not in BELOW:
            out.append(f"{path}: lib/{room} is not a known room (add it to BELOW in tests/layers.py)")
            continue
        for m in INCLUDE.finditer(text):
            kind, name = m.groups()
            line = text.count("\n", 0, m.start()) + 1
            where = f"{path}:{line}: #include {kind}{name}{'>' if kind == '<' else kind}"
            if name in PUBLIC:
                if room and PUBLIC[name] is not None and room not in PUBLIC[name]:
                    out.append(f"{where}: lib/{room} may not use that public header")
                continue
            if kind == "<" and name not in owner:
                continue  # the system's
            if public:
                out.append(f"{where}: a public header includes only public headers")
            elif name.endswith(".c"):
                out.append(f"{where}: a source file is not a header")
            elif name not in owner:
                out.append(f"{where}: not a library header (tools, rpc and tests are above the library)")
            elif owner[name] != room and owner[name] not in BELOW[room]:
                out.append(f"{where}: lib/{room} may not depend on lib/{owner[name]} (it is not below)")
        if room and EDITING.search(re.sub(r"/\*.*?\*/", "", text, flags=re.S)):
            out.append(f"{path}: edits files in place (flock/rename/mkstemp): that is the tools' side")
    return out


def face_problems(path, text, face, owner, files):
    """A face includes ntlmssp.h, the rooms FACES allows it, its own headers and the system's."""
    out = []
    own = {os.path.basename(p) for p in files if p.split(os.sep)[0] == face}
    for m in INCLUDE.finditer(text):
        kind, name = m.groups()
        line = text.count("\n", 0, m.start()) + 1
        if name == "ntlmssp/ntlmssp.h" or name in own or name in FACE_PUBLIC[face]:
            continue
        if kind == "<" and name not in owner and name not in PUBLIC:
            continue  # the system's
        if owner.get(name) in FACES[face]:
            continue
        out.append(f"{path}:{line}: #include {name}: {face}/ is a face above the public API "
                   f"(ntlmssp.h and lib/{', lib/'.join(sorted(FACES[face]))} only)")
    return out


# Each planted defect: (file, text added after its first line, the text the report must contain).
PLANTED = [
    ("lib/store/smbpasswd.c", '#include "context.h"', "lib/store may not depend on lib/engine"),
    ("lib/base/buf.c", '#include "wire.h"', "lib/base may not depend on lib/wire"),
    ("lib/base/textfile.c", '#include "smbpasswd.h"', "lib/base may not depend on lib/store"),
    ("lib/crypto/crypto.c", '#include "wire.h"', "lib/crypto may not depend on lib/wire"),
    ("lib/wire/wire.c", '#include "ntlm_keys.h"', "lib/wire may not depend on lib/crypto"),
    ("lib/store/credfile.c", '#include "cred.h"', "lib/store may not depend on lib/engine"),
    ("lib/engine/server.c", '#include "ntlmssp/sspi.h"', "may not use that public header"),
    ("lib/engine/context.c", '#include "ntlmssp/rpc.h"', "may not use that public header"),
    ("lib/engine/client.c", '#include "ntlm_tool.h"', "not a library header"),
    ("lib/wire/avpairs.c", '#include "../engine/policy.c"', "not a header"),
    ("include/ntlmssp/ntlmssp.h", '#include "buf.h"', "includes only public headers"),
    ("lib/store/smbpasswd.c", "static int f(int fd) { return flock(fd, 2); }", "tools' side"),
    ("gss/gss_context.c", '#include "context.h"', "face above the public API"),
    ("gss/gss_names.c", '#include "ntlmssp/sspi.h"', "face above the public API"),
    ("dcom/ndr.c", '#include "context.h"', "face above the public API"),
    ("dcom/orpc.c", '#include "ntlmssp/sspi.h"', "face above the public API"),
    ("dcom/status.c", '#include "wire.h"', "face above the public API"),
]


def self_test(files):
    """Each planted defect must be reported, and nothing else."""
    base = set(problems(files))
    missed = []
    for path, add, expect in PLANTED:
        if path not in files:
            missed.append(f"{path}: missing, cannot plant {add}")
            continue
        head, _, rest = files[path].partition("\n")
        found = set(problems(dict(files, **{path: head + "\n" + add + "\n" + rest}))) - base
        if not any(path in p and expect in p for p in found):
            missed.append(f"planted in {path}: {add}  -> not reported ({sorted(found)})")
    return missed


def main(argv):
    test = "--self-test" in argv
    args = [a for a in argv if a != "--self-test"]
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = load(root)
    found = problems(files)
    for p in found:
        print(p)
    missed = self_test(files) if test else []
    for m in missed:
        print("self-test:", m)
    print(f"layers: {len(files)} files, {len(found)} wrong includes"
          + (f", {len(PLANTED) - len(missed)}/{len(PLANTED)} planted defects caught" if test else ""))
    return 1 if found or missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
