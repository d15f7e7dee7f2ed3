#!/usr/bin/env bash
# Sign (and notarize) the macOS build, driven by environment variables so that no secret is
# ever in the repository. Two steps, around build_dmg.sh:
#
#   sign_and_notarize.sh app   codesign dist/NemoDesk.app (hardened runtime, entitlements)
#   sign_and_notarize.sh dmg   codesign the .dmg, notarize it with notarytool, staple it
#
# MACOS_SIGNING_IDENTITY      "Developer ID Application: Name (TEAMID)"; unset: skip all
# MACOS_CERTIFICATE_P12       optional, base64 .p12 to import into a throw-away keychain (CI)
# MACOS_CERTIFICATE_PASSWORD  its password
# MACOS_NOTARY_APPLE_ID / MACOS_NOTARY_TEAM_ID / MACOS_NOTARY_PASSWORD (app-specific password)
#                             unset: the dmg is signed but not notarized
set -euo pipefail
cd "$(dirname "$0")/../.."

step="${1:-}"
if [ "$step" != app ] && [ "$step" != dmg ]; then
  echo "usage: $0 app|dmg" >&2
  exit 2
fi
if [ -z "${MACOS_SIGNING_IDENTITY:-}" ]; then
  echo "skipping signing: MACOS_SIGNING_IDENTITY not set (the $step stays unsigned)"
  exit 0
fi

APP=dist/NemoDesk.app
ENTITLEMENTS=packaging/macos/entitlements.plist

import_certificate() {
  # CI runners have no login keychain with our certificate: make a temporary one.
  [ -n "${MACOS_CERTIFICATE_P12:-}" ] || return 0
  local keychain="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/nemodesk-signing.keychain-db"
  [ -f "$keychain" ] && return 0  # imported by the `app` step already
  local password p12
  password="$(uuidgen)"
  p12="$(mktemp)"
  echo "$MACOS_CERTIFICATE_P12" | base64 --decode > "$p12"
  security create-keychain -p "$password" "$keychain"
  security set-keychain-settings -lut 21600 "$keychain"
  security unlock-keychain -p "$password" "$keychain"
  security import "$p12" -k "$keychain" -P "${MACOS_CERTIFICATE_PASSWORD:-}" \
    -T /usr/bin/codesign -T /usr/bin/security
  security set-key-partition-list -S apple-tool:,apple: -s -k "$password" "$keychain" >/dev/null
  local existing=() line
  while IFS= read -r line; do  # keep the user's keychains searchable after ours
    existing+=("$(printf '%s' "$line" | sed 's/^[[:space:]]*"//; s/"[[:space:]]*$//')")
  done < <(security list-keychains -d user)
  security list-keychains -d user -s "$keychain" "${existing[@]}"
  rm -f "$p12"
}

import_certificate

if [ "$step" = app ]; then
  [ -d "$APP" ] || { echo "sign_and_notarize: $APP is missing" >&2; exit 1; }
  codesign --force --deep --options runtime --timestamp \
    --entitlements "$ENTITLEMENTS" --sign "$MACOS_SIGNING_IDENTITY" "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
  echo "sign_and_notarize: signed $APP"
  exit 0
fi

shopt -s nullglob
dmgs=(dist/NemoDesk-*-macOS.dmg)
if [ ${#dmgs[@]} -ne 1 ]; then
  echo "sign_and_notarize: expected one dist/NemoDesk-*-macOS.dmg, found ${#dmgs[@]}" >&2
  exit 1
fi
DMG="${dmgs[0]}"
codesign --force --timestamp --sign "$MACOS_SIGNING_IDENTITY" "$DMG"

if [ -z "${MACOS_NOTARY_APPLE_ID:-}" ] || [ -z "${MACOS_NOTARY_TEAM_ID:-}" ] \
  || [ -z "${MACOS_NOTARY_PASSWORD:-}" ]; then
  echo "skipping notarization: MACOS_NOTARY_APPLE_ID/TEAM_ID/PASSWORD not set ($DMG is signed)"
  exit 0
fi
xcrun notarytool submit "$DMG" --wait \
  --apple-id "$MACOS_NOTARY_APPLE_ID" --team-id "$MACOS_NOTARY_TEAM_ID" \
  --password "$MACOS_NOTARY_PASSWORD"
xcrun stapler staple "$DMG"
xcrun stapler validate "$DMG"
echo "sign_and_notarize: notarized and stapled $DMG"
