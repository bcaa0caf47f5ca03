#!/usr/bin/env bash
# make demo: trace the bundled demo program (a backing store modelled on
# Qt's MIT-SHM image code) and show what shmwatch finds.  The demo leaks a
# segment on purpose; it is removed afterwards so nothing is left behind.
set -euo pipefail
build=${1:-build}
log=$(mktemp /tmp/shmwatch-demo.XXXXXX.json)
cleanup() {
	# Remove the segments the demo's processes created and left behind.
	if [ -s "$log" ]; then
		for pid in $(jq -r 'select(.type=="event") | .pid' "$log" | sort -u); do
			awk -v pid="$pid" 'NR > 1 && $5 == pid { print $2 }' /proc/sysvipc/shm |
				while read -r id; do ipcrm -m "$id" 2>/dev/null || true; done
		done
	fi
	rm -f "$log"
}
trap cleanup EXIT

echo "== shmwatch -o $log -- $build/tests/scenarios/demo_backingstore"
"$build/shmwatch" -o "$log" -- "$build/tests/scenarios/demo_backingstore"
echo
echo "== the same findings, read back from the log: shmwatch analyze $log"
"$build/shmwatch" analyze "$log" || true
