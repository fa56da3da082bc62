#!/usr/bin/env bash
# Install ATO Desktop for the current user (no root): ~/.local/opt/ato-desktop, a launcher in
# ~/.local/bin, a menu entry, the icon and the .atodb file type. Run from the unpacked tarball:
#   ./install.sh            install or upgrade
#   ./install.sh --uninstall
# Your databases (~/.local/share/ATO Desktop) are never touched.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="${ATO_PREFIX:-$HOME/.local}"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
DEST="$PREFIX/opt/ato-desktop"
BIN="$PREFIX/bin/ato-desktop"

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$DEST" "$BIN" "$DATA/applications/ato-desktop.desktop" "$DATA/mime/packages/ato-desktop.xml" \
         "$DATA/icons/hicolor/256x256/apps/ato-desktop.png"
  command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" >/dev/null 2>&1 || true
  command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" >/dev/null 2>&1 || true
  echo "ATO Desktop removed (your databases are kept)."
  exit 0
fi

mkdir -p "$PREFIX/opt" "$PREFIX/bin" "$DATA/applications" "$DATA/mime/packages" "$DATA/icons/hicolor/256x256/apps"
rm -rf "$DEST.new"
cp -a "$HERE/ato-desktop" "$DEST.new"
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
ln -sf "$DEST/ato-desktop" "$BIN"
sed "s|@BIN@|$DEST/ato-desktop|g" "$HERE/ato-desktop.desktop" > "$DATA/applications/ato-desktop.desktop"
cp "$HERE/ato-desktop-mime.xml" "$DATA/mime/packages/ato-desktop.xml"
cp "$HERE/ato-desktop.png" "$DATA/icons/hicolor/256x256/apps/ato-desktop.png"
command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" >/dev/null 2>&1 || true
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" >/dev/null 2>&1 || true
command -v xdg-mime >/dev/null && xdg-mime default ato-desktop.desktop application/x-atodb >/dev/null 2>&1 || true
# Compile the optimizer's kernels for this computer now (about a minute, once), so that the first
# Optimize starts at once; the app would otherwise do it in the background on its first start.
if [ -z "${ATO_SKIP_WARMUP:-}" ]; then
  echo "Preparing the optimizer for this computer (about a minute)..."
  "$DEST/ato-desktop" warm-up --quiet --if-needed || echo "(not done now; the app prepares it on its first start)"
fi
echo "ATO Desktop installed in $DEST; start it from the menu or with: $BIN"
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) echo "(add $PREFIX/bin to your PATH to run 'ato-desktop' from a terminal)";; esac
