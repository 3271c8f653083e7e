#!/usr/bin/env bash
# A local stand-in for the official Node 20 image, for machines with no registry: a Debian bookworm
# rootfs (debootstrap, from the Debian mirror) plus this machine's Node.js package files, imported
# into podman as $1 (default localhost/manga-assist-base:bookworm-node20). Needs root.
set -euo pipefail
image="${1:-localhost/manga-assist-base:bookworm-node20}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

debootstrap --variant=minbase --include=ca-certificates,python3,make,g++ bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; exit 1; }
# This machine's node, npm and node headers (the official image has the same pieces under /usr/local).
tar -C / -cf - usr/bin/node usr/bin/npm usr/bin/npx usr/include/node usr/lib/node_modules/npm | tar -C "$work/rootfs" -xf -
# This machine's trust store too: where egress goes through a TLS-inspecting proxy, npm in the build
# must trust the same authorities the host does.
cp /etc/ssl/certs/ca-certificates.crt "$work/rootfs/etc/ssl/certs/ca-certificates.crt"
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
tar -C "$work/rootfs" -cf - . | podman import \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' - "$image" >/dev/null
echo "$image"
