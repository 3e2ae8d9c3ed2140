#!/usr/bin/env bash
# Builds the release packages a user installs without Rust (make dist):
#   <out>/reportpress-<version>-x86_64-linux.tar.gz   binary + fonts + licences, unpack anywhere
#   <out>/reportpress_<version>_amd64.deb              for Debian and Ubuntu (apt install ./…deb)
# Usage: packaging/make-packages.sh BINARY OUT_DIR
# The binary finds the fonts installed beside it (../share/reportpress/fonts), and carries
# the designs compiled in, so nothing else is needed at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:?the release binary}
out=${2:?the output directory}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
arch=$(uname -m)
deb_arch=$(case "$arch" in x86_64) echo amd64;; aarch64) echo arm64;; *) echo "$arch";; esac)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# The files of both packages, under a prefix: bin/, share/reportpress/fonts, share/doc/reportpress.
stage() {
    local prefix=$1
    install -D -m 0755 "$binary" "$prefix/bin/reportpress"
    strip --strip-unneeded "$prefix/bin/reportpress" 2>/dev/null || true
    install -d "$prefix/share/reportpress/fonts" "$prefix/share/doc/reportpress"
    install -m 0644 fonts/*.ttc fonts/*.otf fonts/*.ttf "$prefix/share/reportpress/fonts/" 2>/dev/null || true
    install -m 0644 fonts/LICENSE-OFL.txt fonts/README.md "$prefix/share/reportpress/fonts/"
    install -m 0644 README.md "$prefix/share/doc/reportpress/README.md"
    install -m 0644 packaging/copyright "$prefix/share/doc/reportpress/copyright"
    install -m 0644 fonts/LICENSE-OFL.txt "$prefix/share/doc/reportpress/LICENSE-OFL-fonts.txt"
}

# The tarball: one directory, run in place (reportpress-<version>/bin/reportpress).
name="reportpress-$version-$arch-linux"
stage "$work/$name"
tar -C "$work" --owner=0 --group=0 --sort=name -czf "$out/$name.tar.gz" "$name"

# The .deb: the same files under /usr, with its control file.
root="$work/deb"
stage "$root/usr"
size=$(du -sk "$root/usr" | cut -f1)
install -d "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: reportpress
Version: $version
Architecture: $deb_arch
Maintainer: reportpress developers <reportpress@example.org>
Installed-Size: $size
Depends: libc6 (>= 2.31)
Section: text
Priority: optional
Homepage: https://example.org/reportpress
Description: Chinese reports as print PDF and EPUB 3 from one manuscript
 reportpress turns a report manuscript (Markdown text, TOML metadata and data
 tables) into a print-quality PDF typeset with Typst and an EPUB 3 edition,
 with Chinese typesetting rules, checked numbers and a proofreading loop.
 The pinned Noto CJK fonts and the designs are included.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/reportpress_${version}_${deb_arch}.deb" >/dev/null
echo "wrote $out/$name.tar.gz"
echo "wrote $out/reportpress_${version}_${deb_arch}.deb"
