#!/bin/sh
# Relève, installed from this folder without the Internet (Linux x86_64, macOS).
#   sh install.sh [FOLDER]      FOLDER: where Relève goes (default ~/.local/share/releve-app)
# Needs Python 3.11 or newer (python3, with its venv module: Debian/Ubuntu: python3-venv;
# macOS: the python.org installer, the python3 of Apple's developer tools being too old).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${1:-"$HOME/.local/share/releve-app"}
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Relève a besoin de Python 3.11 ou plus récent / Relève needs Python 3.11 or newer" >&2
    exit 1
fi
"$PYTHON" -m venv "$TARGET"
"$TARGET/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" releve
"$TARGET/bin/releve" --version
echo
echo "Relève est installé dans $TARGET / Relève is installed in $TARGET"
echo "  $TARGET/bin/releve demo       (essai / a try)"
echo "  $TARGET/bin/releve --help"
