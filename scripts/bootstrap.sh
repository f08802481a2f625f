#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install every build and test dependency of dpmirror from Debian's archive.
# Idempotent and quiet when everything is present.  Needs root (or sudo).
set -euo pipefail

PKGS=(
	# build
	build-essential meson ninja-build pkg-config
	dpdk dpdk-dev libdpdk-dev libnuma-dev
	libnl-3-dev libnl-route-3-dev libcmocka-dev libpcap-dev
	clang libclang-rt-14-dev clang-format
	# tests, demo and benchmarks
	iproute2 iputils-ping tcpdump tshark tcpreplay iperf3
	python3 python3-scapy jq procps linux-perf
	# install test (man -l, groff, systemd-analyze verify), messages test
	man-db groff-base systemd util-linux
	# promtool: the check of dpmirrorctl stats --prometheus
	prometheus
)

missing=()
for p in "${PKGS[@]}"; do
	case "$p" in \#*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "bootstrap: these packages are missing: ${missing[*]}" >&2
		echo "bootstrap: run this script as root (or install sudo)" >&2
		exit 1
	fi
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, do not prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
	>/tmp/dpmirror-bootstrap.log 2>&1 || {
	echo "bootstrap: apt-get install failed; last lines of" \
		"/tmp/dpmirror-bootstrap.log:" >&2
	tail -n 20 /tmp/dpmirror-bootstrap.log >&2
	exit 1
}
echo "bootstrap: done"
