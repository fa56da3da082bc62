#!/usr/bin/env bash
# Package the Linux bundle (dist/ato-desktop, from installer/build.py) as a per-user install tarball:
#   bash installer/linux/make_tarball.sh   ->  dist/installer/ATO-Desktop-<version>-linux-<arch>.tar.xz
# Users unpack it and run ./install.sh (menu entry, icon, .atodb file type) or start
# ato-desktop/ato-desktop directly. Needs glibc 2.31+ Linux x86_64 with an X11 or Wayland desktop.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BUNDLE="$ROOT/dist/ato-desktop"
[ -x "$BUNDLE/ato-desktop" ] || { echo "error: $BUNDLE/ato-desktop not found; run: python installer/build.py" >&2; exit 1; }
VERSION="$(PYTHONPATH="$ROOT" python3 -c 'import ato_desktop; print(ato_desktop.__version__)')"
NAME="ATO-Desktop-$VERSION-linux-$(uname -m)"
OUT="$ROOT/dist/installer"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$OUT" "$STAGE/$NAME"
cp -a "$BUNDLE" "$STAGE/$NAME/ato-desktop"
cp "$ROOT/installer/linux/install.sh" "$ROOT/installer/linux/ato-desktop.desktop" \
   "$ROOT/installer/linux/ato-desktop-mime.xml" "$STAGE/$NAME/"
cp "$ROOT/resources/icons/ato-desktop.png" "$STAGE/$NAME/ato-desktop.png"
chmod +x "$STAGE/$NAME/install.sh"
# xz by default: a ~30 % smaller download than gzip (108 MiB instead of 149 MiB for a 389 MiB bundle;
# a few minutes to make); ATO_COMPRESS=gz for a quick gzip tarball (or when xz is missing).
if [ "${ATO_COMPRESS:-xz}" = "xz" ] && command -v xz >/dev/null; then
  tar -C "$STAGE" -cf - "$NAME" | xz -T0 -6 > "$OUT/$NAME.tar.xz"
  FILE="$OUT/$NAME.tar.xz"
else
  tar -C "$STAGE" -czf "$OUT/$NAME.tar.gz" "$NAME"
  FILE="$OUT/$NAME.tar.gz"
fi
du -h "$FILE"
echo "$FILE"
