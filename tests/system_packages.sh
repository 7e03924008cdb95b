#!/usr/bin/env bash
# The Debian packages `make test` needs besides Python: Chromium and its driver (the browser
# tests; no browser download works here) and a CJK font (the Chinese figures' labels and
# screenshots). With the argument `font`, only the font: what a build needs (`make serve`,
# `make build`). Installs the missing ones with apt-get, as root or through sudo. Where
# that cannot work (no apt-get, or neither root nor a password-less sudo), it changes
# nothing and exits 1 with one message naming the command to run.
set -uo pipefail

packages=()
if [[ ${1:-} != font ]]; then
    command -v chromium >/dev/null || packages+=(chromium)
    command -v chromedriver >/dev/null || packages+=(chromium-driver)
fi
# The CJK fonts snippets/figures.py accepts (its CJK_FONTS; tests/test_system_packages.py
# keeps the two lists equal). A build on another system (macOS: PingFang SC) has one of
# them without Debian's package: matplotlib's font list, read by $PYTHON, says so.
cjk_fonts=("Noto Sans CJK SC" "Source Han Sans SC" "PingFang SC" "Microsoft YaHei"
           "WenQuanYi Zen Hei")
has_cjk_font() {
    local name listed
    # Read whole first: `fc-list | grep -q` under pipefail fails when grep stops reading
    # early (fc-list gets SIGPIPE), which made every run reinstall the font.
    listed=$(fc-list 2>/dev/null)
    for name in "${cjk_fonts[@]}"; do
        grep -qiF "$name" <<<"$listed" && return 0
    done
    [[ ${1:-} == font && -n ${PYTHON:-} ]] && "$PYTHON" -c \
        'import sys; from matplotlib import font_manager as f
sys.exit(not {x.name for x in f.fontManager.ttflist} & set(sys.argv[1:]))' \
        "${cjk_fonts[@]}" 2>/dev/null
}
has_cjk_font "${1:-}" || packages+=(fonts-noto-cjk)
((${#packages[@]})) || exit 0

command_line="apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"
refuse() {
    echo "This needs the Debian packages ${packages[*]} and cannot install them: $1." >&2
    echo "Install them, then run make again:  sudo sh -c '$command_line'" >&2
    exit 1
}

command -v apt-get >/dev/null || refuse "apt-get is not on this machine"
if [[ $(id -u) == 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo)
else
    refuse "this user is not root and has no password-less sudo"
fi

echo "Installing ${packages[*]} (apt-get) ..." >&2
"${as_root[@]}" apt-get update -qq || refuse "apt-get update failed"
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null || refuse "apt-get install failed"
