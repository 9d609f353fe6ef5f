#!/usr/bin/env python3
"""Mutation check for the security checks.

Each mutant in mutants.txt disables one check: it names a file, an exact text that
must occur exactly once in it, the text that replaces it, and the command that must
then fail. The whole tree is copied to a scratch folder once; each mutant is applied
there, the tree is rebuilt, its command is run, and the mutant is undone. A mutant
that survives (its command still passes), does not apply, or does not build is a
failure: a test that cannot fail is a defect, and so is a mutant that tests nothing.

Usage: mutate.py [--keep] [NAME...]   (names select mutants; default: all)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse(path):
    """Blocks of 'key = value' lines under a '[name]' header; '\\n' in a value is a newline."""
    mutants, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                cur = {"name": line[1:-1], "line": n}
                mutants.append(cur)
                continue
            key, sep, value = line.partition(" = ")
            if cur is None or not sep or key not in ("file", "find", "replace", "run", "why"):
                sys.exit(f"{path}:{n}: expected '[name]' or 'file|find|replace|run|why = value'")
            cur[key] = value.replace("\\n", "\n").replace("\\t", "\t")
    for m in mutants:
        missing = [k for k in ("file", "find", "replace", "run") if k not in m]
        if missing:
            sys.exit(f"{path}:{m['line']}: mutant {m['name']} lacks {', '.join(missing)}")
    names = [m["name"] for m in mutants]
    if len(set(names)) != len(names):
        sys.exit(f"{path}: mutant names must be unique")
    return mutants


def copy_tree(dst):
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True).stdout.split(b"\0")
    for rel in filter(None, (f.decode() for f in files)):
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dst, rel), follow_symlinks=False)


def sh(cmd, cwd, log):
    env = dict(os.environ, ROOT=cwd)
    with open(log, "a") as out:
        out.write(f"\n$ {cmd}\n")
        out.flush()
        return subprocess.run(cmd, shell=True, cwd=cwd, env=env, stdout=out,
                              stderr=subprocess.STDOUT, timeout=600).returncode


def main():
    args = sys.argv[1:]
    keep = "--keep" in args
    wanted = [a for a in args if a != "--keep"]
    mutants = parse(os.path.join(HERE, "mutants.txt"))
    if wanted:
        mutants = [m for m in mutants if m["name"] in wanted]
    work = tempfile.mkdtemp(prefix="ntlm-mutation.")
    log = os.path.join(work, "mutation.log")
    tree = os.path.join(work, "tree")
    copy_tree(tree)
    build = "meson setup build >/dev/null && ninja -C build"
    if sh(build, tree, log) != 0:
        print(f"not ok build of the unmutated tree (log {log})")
        print("mutation: 0 passed, 1 failed")
        return 1
    passed = failed = 0
    # every command must pass on the unmutated tree, or a failure would prove nothing
    for cmd in sorted({m["run"] for m in mutants}):
        if sh(cmd, tree, log) != 0:
            print(f"not ok baseline: '{cmd}' fails without any mutant (log {log})")
            failed += 1
    for m in mutants:
        path = os.path.join(tree, m["file"])
        with open(path, encoding="utf-8") as f:
            text = f.read()
        count = text.count(m["find"])
        if count != 1:
            print(f"not ok {m['name']}: the text to mutate occurs {count} times in {m['file']}")
            failed += 1
            continue
        start = time.time()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(m["find"], m["replace"]))
        try:
            if sh("ninja -C build", tree, log) != 0:
                verdict = "does not build"
            elif sh(m["run"], tree, log) == 0:
                verdict = "survived"
            else:
                verdict = None
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        secs = time.time() - start
        if verdict:
            print(f"not ok {m['name']}: {verdict} ({m['file']}; run: {m['run']})")
            failed += 1
        else:
            print(f"ok   {m['name']} killed in {secs:.0f}s")
            passed += 1
    if failed == 0 and not keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"log: {log}")
    print(f"mutation: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
