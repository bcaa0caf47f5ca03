#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rootfs.sh - the root filesystem of a shmwatch container image, as a
# tarball for `podman import` or `docker import`, made from a built
# binary and this host's libraries, with no registry and no base image:
# the binary at /usr/sbin/shmwatch, every library ldd lists and the
# loader, the C++ runtime shmwatch loads to demangle symbols, a few
# terminal descriptions for `shmwatch top`, and empty /tmp and
# /var/log/shmwatch.  The BPF object is in the binary (a skeleton), so
# nothing else is read at run time but the host's /proc, /sys and the
# runtimes' state that the container is given.
#
# Usage: deploy/rootfs.sh SHMWATCH-BINARY OUTPUT.tar
set -eu

[ $# -eq 2 ] || { echo "usage: $0 SHMWATCH-BINARY OUTPUT.tar" >&2; exit 2; }
bin=$1
out=$2
[ -x "$bin" ] || { echo "rootfs.sh: $bin: not an executable" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/shmwatch-rootfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# A file of the host at the same path in the image, its content copied
# (a symlink's target, under the link's name), and each leading
# directory that is a symlink on the host (Debian 12's /lib -> usr/lib)
# made the same link.
add() {
	src=$1
	dir=$(dirname "$src")
	top=/$(echo "$dir" | cut -d/ -f2)
	if [ -L "$top" ] && [ ! -e "$stage$top" ]; then
		ln -s "$(readlink "$top")" "$stage$top"
	fi
	real=$(realpath "$dir")
	mkdir -p "$stage$real"
	cp -L "$src" "$stage$real/$(basename "$src")"
}

mkdir -p "$stage/usr/sbin"
cp "$bin" "$stage/usr/sbin/shmwatch"

# `ldd` names each library with its path ("libz.so.1 => /lib/... (0x...)")
# and the loader with its path alone; the vDSO has none.
libs() {
	ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}
# dlopen()ed, so not in the binary's list: the C++ demangler
# (user/sym/module.c), with what it needs in turn.
cxx=$(ldconfig -p | awk '$1 == "libstdc++.so.6" && $2 ~ /x86-64|aarch64|64bit/ { print $NF; exit }')
{ libs "$bin"; [ -z "$cxx" ] || { echo "$cxx"; libs "$cxx"; }; } | sort -u > "$stage/.libs"
while read -r lib; do
	add "$lib"
done < "$stage/.libs"
rm "$stage/.libs"

for t in dumb linux vt100 xterm xterm-256color screen screen-256color tmux tmux-256color; do
	for d in /lib/terminfo /usr/share/terminfo; do
		f=$d/$(echo "$t" | cut -c1)/$t
		if [ -e "$f" ]; then
			add "$f"
			break
		fi
	done
done

mkdir -p "$stage/tmp" "$stage/var/log/shmwatch" "$stage/etc" "$stage/proc" "$stage/sys" \
	"$stage/dev"
chmod 0755 "$stage"
chmod 1777 "$stage/tmp"
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -cf "$out.tmp" .
mv "$out.tmp" "$out"
