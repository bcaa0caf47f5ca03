#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run every test of shmwatch: the cmocka unit tests; the integration
tests that load the real BPF programs; the same capture checks and
scenarios inside Debian 12's stock kernel under qemu (tests/kernels/); and
a smoke run of the benchmarks, which only proves they still run (timings
are never judged here); a short libFuzzer run over the log reader and
analyzer; and the unit and integration tests again against an
AddressSanitizer+UBSan build (build-asan/).  Prints one closing line,
'N passed, N failed, N skipped', and exits non-zero if anything failed.

Usage: tests/run.py [--build DIR] [--only unit|integration|kernels|bench|fuzz|asan]
                    [-k PATTERN]
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_unit(build):
    """Each cmocka binary is one group; count its tests from its output."""
    passed = failed = 0
    bins = sorted(glob.glob(os.path.join(build, "tests", "test_*")))
    if not bins:
        print("no unit test binaries under %s/tests" % build)
        return 0, 1
    for b in bins:
        proc = subprocess.run([b], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        out = proc.stdout
        sys.stdout.write(out)
        p = re.search(r"\[  PASSED  \] (\d+) test", out)
        f = re.search(r"\[  FAILED  \] (\d+) test", out)
        n_pass = int(p.group(1)) if p else 0
        n_fail = int(f.group(1)) if f else 0
        if proc.returncode != 0 and n_fail == 0:
            n_fail = 1  # crashed or exited early
            print("%s: exit status %d" % (os.path.basename(b), proc.returncode))
        passed += n_pass
        failed += n_fail
    return passed, failed


def run_integration(build, pattern):
    sys.path.insert(0, os.path.join(HERE, "integration"))
    os.environ["SHMWATCH_BUILD"] = os.path.abspath(build)
    loader = unittest.TestLoader()
    if pattern:
        loader.testNamePatterns = ["*%s*" % pattern]
    suite = loader.discover(os.path.join(HERE, "integration"), pattern="test_*.py",
                            top_level_dir=os.path.join(HERE, "integration"))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    return passed, failed, skipped


def run_script(argv, what, env=None):
    """A script that ends with 'N passed, N failed' or says 'skipped:'."""
    print("== %s: %s" % (what, " ".join(argv)), flush=True)
    proc = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=env)
    sys.stdout.write(proc.stdout)
    m = re.search(r"^(\d+) passed, (\d+) failed", proc.stdout, re.M)
    if m:
        failed = int(m.group(2)) + (1 if proc.returncode and not int(m.group(2)) else 0)
        return int(m.group(1)), failed, 0
    if proc.returncode == 0 and re.search(r"^skipped: ", proc.stdout, re.M):
        return 0, 0, 1
    return (1, 0, 0) if proc.returncode == 0 else (0, 1, 0)


ASAN_BUILD = "build-asan"
ASAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:strict_string_checks=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    "LSAN_OPTIONS": "report_objects=1",
}


def run_asan(args):
    """The unit and integration tests once more, against the userspace
    built with AddressSanitizer and UBSan; any report fails its test."""
    print("== AddressSanitizer+UBSan build (make asan-build)", flush=True)
    if subprocess.run(["make", "--no-print-directory", "asan-build",
                       "BUILD=" + args.build], cwd=ROOT).returncode:
        return 0, 1, 0
    env = dict(os.environ, **ASAN_ENV)
    argv = [sys.executable, "tests/run.py", "--build", ASAN_BUILD]
    if args.pattern:
        argv += ["-k", args.pattern]
    p, f, s = run_script(argv + ["--only", "unit"], "unit tests under ASan+UBSan", env)
    p2, f2, s2 = run_script(argv + ["--only", "integration"],
                            "integration tests under ASan+UBSan", env)
    return p + p2, f + f2, s + s2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", choices=["unit", "integration", "kernels", "bench", "fuzz",
                                       "asan"])
    ap.add_argument("-k", dest="pattern")
    args = ap.parse_args()
    os.chdir(ROOT)
    passed = failed = skipped = 0
    if args.only in (None, "unit"):
        p, f = run_unit(args.build)
        passed += p
        failed += f
    if args.only in (None, "integration"):
        p, f, s = run_integration(args.build, args.pattern)
        passed += p
        failed += f
        skipped += s
    if args.only in (None, "kernels"):
        p, f, s = run_script([sys.executable, "tests/kernels/run.py", "--build", args.build],
                             "CO-RE on Debian 12's stock kernel under qemu")
        passed += p
        failed += f
        skipped += s
    if args.only in (None, "bench"):
        p, f, s = run_script(["make", "--no-print-directory", "bench", "BUILD=" + args.build,
                              "BENCH_ARGS=--quick"], "benchmark smoke (timings not judged)")
        passed += p
        failed += f
        skipped += s
    if args.only in (None, "fuzz"):
        p, f, s = run_script(["make", "--no-print-directory", "fuzz", "BUILD=" + args.build],
                             "libFuzzer on analyze (regression inputs, then a short run)")
        passed += p
        failed += f
        skipped += s
    if args.only in (None, "asan"):
        p, f, s = run_asan(args)
        passed += p
        failed += f
        skipped += s
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
