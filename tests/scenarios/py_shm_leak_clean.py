# SPDX-License-Identifier: GPL-2.0
# expect: none
"""py_shm_leak_clean.py - the clean twin of py_shm_leak.py: the same
program with clean=True, which unlinks the object instead of leaving it."""
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import py_shm_leak  # noqa: E402  (found next to this file: sys.path[0])

py_shm_leak.main(clean=True)
