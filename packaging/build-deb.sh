#!/usr/bin/env bash
# build-deb.sh OUTDIR: build caselog's Debian package (Release, installed layout under
# /usr, config in /etc/caselog) into OUTDIR with CPack's DEB generator. Prints the
# package's path.
set -euo pipefail
out=${1:?usage: build-deb.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
build="$out/build"
# Debian's hardening flags (fortify, stack protector, relro and bindnow), as
# dpkg-buildpackage would pass them.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DCASELOG_SQL_DIR=/usr/share/caselog/sql -DCASELOG_TEMPLATES_DIR=/usr/share/caselog/templates >/dev/null
cmake --build "$build" -j"$(nproc)" --target caselogd caselog caselog-web caselog_compressed_docs >/dev/null
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
ls "$out"/caselog_*.deb
