# SPDX-License-Identifier: GPL-2.0
# expect: none
"""py_tracker_unlink_clean.py - the clean twin of py_tracker_unlink.py:
the program that attaches by name unregisters the name from its resource
tracker, so the tracker leaves the owner's object alone; the third
program attaches it, and the owner unlinks it at the end."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from py_tracker_unlink import main  # noqa: E402

if __name__ == "__main__":
    main(clean=True)
