#!/usr/bin/env bash
# Mutation check: each mutant in tests/mutation/mutants.txt disables one security
# check; the test it names must then fail. Prints "mutation: N passed, N failed".
cd "$ROOT"
python3 tests/mutation/mutate.py
