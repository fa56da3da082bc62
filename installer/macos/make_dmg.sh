#!/usr/bin/env bash
# Make "ATO Desktop.app" into a .dmg, signing and notarizing when credentials are configured.
#
#   python installer/build.py --self-test     # builds dist/ATO Desktop.app
#   bash installer/macos/make_dmg.sh          # writes dist/installer/ATO-Desktop-<version>-macOS-<arch>.dmg
#
# Signing (optional): MACOS_CODESIGN_IDENTITY="Developer ID Application: Name (TEAMID)", with the certificate
# in the keychain (CI: MACOS_CERTIFICATE_P12_BASE64 + MACOS_CERTIFICATE_PASSWORD import it into a temporary
# keychain first). Notarization (optional, needs signing): APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD
# (an app-specific password). Without them the .dmg is unsigned (ad-hoc signed app): fine for testing, but
# Gatekeeper asks users to right-click > Open the first time.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
APP="$ROOT/dist/ATO Desktop.app"
VERSION="$(python3 -c 'import ato_desktop; print(ato_desktop.__version__)')"
ARCH="$(uname -m)"
OUT_DIR="$ROOT/dist/installer"
DMG="$OUT_DIR/ATO-Desktop-$VERSION-macOS-$ARCH.dmg"
ENTITLEMENTS="$ROOT/installer/macos/entitlements.plist"

[ -d "$APP" ] || { echo "error: $APP not found; run: python installer/build.py" >&2; exit 1; }
mkdir -p "$OUT_DIR"

KEYCHAIN=""
cleanup() { [ -n "$KEYCHAIN" ] && security delete-keychain "$KEYCHAIN" >/dev/null 2>&1 || true; rm -rf "${STAGE:-}"; }
trap cleanup EXIT

if [ -n "${MACOS_CERTIFICATE_P12_BASE64:-}" ]; then
  KEYCHAIN="$RUNNER_TEMP/ato-signing.keychain-db"
  KC_PASS="$(uuidgen)"
  security create-keychain -p "$KC_PASS" "$KEYCHAIN"
  security set-keychain-settings -lut 3600 "$KEYCHAIN"
  security unlock-keychain -p "$KC_PASS" "$KEYCHAIN"
  echo "$MACOS_CERTIFICATE_P12_BASE64" | base64 --decode > "$RUNNER_TEMP/cert.p12"
  security import "$RUNNER_TEMP/cert.p12" -k "$KEYCHAIN" -P "${MACOS_CERTIFICATE_PASSWORD:-}" -T /usr/bin/codesign
  rm -f "$RUNNER_TEMP/cert.p12"
  security set-key-partition-list -S apple-tool:,apple: -s -k "$KC_PASS" "$KEYCHAIN" >/dev/null
  security list-keychains -d user -s "$KEYCHAIN" $(security list-keychains -d user | tr -d '"')
fi

if [ -n "${MACOS_CODESIGN_IDENTITY:-}" ]; then
  echo "signing with: $MACOS_CODESIGN_IDENTITY"
  # Inside out: every library and extension, then the executable, then the bundle.
  find "$APP/Contents" -type f \( -name "*.dylib" -o -name "*.so" -o -perm -111 \) -print0 |
    while IFS= read -r -d '' f; do
      if file "$f" | grep -q "Mach-O"; then
        codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
          --sign "$MACOS_CODESIGN_IDENTITY" "$f"
      fi
    done
  codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
    --sign "$MACOS_CODESIGN_IDENTITY" "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
else
  echo "MACOS_CODESIGN_IDENTITY not set: the app stays ad-hoc signed (not notarized)"
fi

STAGE="$(mktemp -d)"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "ATO Desktop" -srcfolder "$STAGE" -ov -format UDZO -fs HFS+ "$DMG"

if [ -n "${MACOS_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$MACOS_CODESIGN_IDENTITY" "$DMG"
  if [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    echo "notarizing (this can take several minutes)"
    xcrun notarytool submit "$DMG" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose "$DMG" || true
  else
    echo "APPLE_ID / APPLE_TEAM_ID / APPLE_APP_PASSWORD not set: signed but not notarized"
  fi
fi

du -h "$DMG"
echo "$DMG"
