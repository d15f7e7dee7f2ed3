#!/bin/sh
# Install NemoDesk for the current user, without root:
#   the app        -> ~/.local/share/nemodesk/
#   a menu entry   -> ~/.local/share/applications/ (also "Open With" for videos, images, audio)
#   its icons      -> ~/.local/share/icons/hicolor/
# Run it again to update; `./install.sh --uninstall` removes all three.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
dest="$data/nemodesk"
desktop_id="@DESKTOP_ID@"
app_name="@APP_NAME@"

refresh() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$data/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
  fi
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$dest"
  rm -f "$data/applications/$desktop_id.desktop"
  find "$data/icons/hicolor" -name "$desktop_id.*" -type f -delete 2>/dev/null || true
  refresh
  echo "$app_name removed."
  exit 0
fi

rm -rf "$dest"
mkdir -p "$dest" "$data/applications" "$data/icons"
cp -R "$here/$app_name/." "$dest/"
cp -R "$here/icons/hicolor" "$data/icons/"
# The entry's Exec names the installed binary (quoted: $HOME may contain spaces).
sed "s|^Exec=[^ ]*|Exec=\"$dest/$app_name\"|" "$here/$desktop_id.desktop" \
  > "$data/applications/$desktop_id.desktop"
refresh
echo "$app_name installed in $dest; find it in your applications menu."
