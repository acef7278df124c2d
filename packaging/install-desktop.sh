#!/usr/bin/env bash
# Puts the eventdesk bundle (the folder this script is in) into the desktop menu of the current
# user: the launcher and icons under ~/.local/share, the `eventdesk` command in ~/.local/bin.
# The bundle stays where it is; run this again after moving it. --uninstall removes what it added.
set -euo pipefail
bundle="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="$HOME/.local/bin"
desktop="$data/applications/eventdesk.desktop"
png="$data/icons/hicolor/256x256/apps/eventdesk.png"
svg="$data/icons/hicolor/scalable/apps/eventdesk.svg"

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$desktop" "$png" "$svg"
    [ -L "$bin/eventdesk" ] && rm -f "$bin/eventdesk"
    echo "eventdesk: removed from the desktop menu"
    exit 0
fi
[ -x "$bundle/eventdesk" ] || { echo "install-desktop.sh: no eventdesk executable in $bundle" >&2; exit 1; }
mkdir -p "$(dirname "$desktop")" "$(dirname "$png")" "$(dirname "$svg")" "$bin"
install -m 644 "$bundle/eventdesk.png" "$png"
install -m 644 "$bundle/eventdesk.svg" "$svg"
# Exec needs the absolute path: a menu does not search ~/.local/bin on every desktop
sed "s|^Exec=.*|Exec=\"$bundle/eventdesk\"|" "$bundle/eventdesk.desktop" > "$desktop"
chmod 644 "$desktop"
ln -sfn "$bundle/eventdesk" "$bin/eventdesk"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "eventdesk: in the desktop menu ($desktop); command: $bin/eventdesk"
