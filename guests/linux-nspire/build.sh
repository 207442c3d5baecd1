#!/bin/bash
# Builds the TI-Nspire CX Linux guest from Debian 12 packages only:
#   mainline Linux 6.1 (Debian's linux-source-6.1) for the nspire-cx device tree,
#   with a busybox (busybox-static:armel) initramfs built into the zImage.
#
# Usage (as root, on Debian 12 "bookworm"):
#   guests/linux-nspire/build.sh [OUT_DIR]
# OUT_DIR defaults to this script's folder, whose zImage and DTB the tests boot.
# Environment:
#   WORK=DIR                      scratch folder (source tree, objects, busybox);
#                                 a new temporary folder by default (removed after a
#                                 successful build, kept after a failed one)
#   JOBS=2                        make -j value (the build runs under nice -n 19)
#   LINUX_SOURCE_VERSION=6.1.192-2   Debian version of linux-source-6.1 to use;
#                                    falls back to the newest one apt offers.
#   SKIP_APT=1                    do not run apt-get (packages already installed)
#
# Inputs, beside this script: nspire-guest.config (the config fragment),
# nspire-cx-overrides.dtsi (appended to nspire-cx.dts), initramfs.list and rootfs/
# (the initramfs: /etc/inittab and its scripts). Everything else comes from
# Debian's archive through apt-get. Outputs, in OUT_DIR: zImage, nspire-cx.dtb,
# System.map, kernel.config, BUILD-INFO.txt and SHA256SUMS. The same package
# versions give the same files, byte for byte.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE}
SCRATCH=0
if [ -z "${WORK:-}" ]; then
	WORK=$(mktemp -d -t linux-guest.XXXXXX)
	SCRATCH=1
fi
JOBS=${JOBS:-2}
LINUX_SOURCE_VERSION=${LINUX_SOURCE_VERSION:-6.1.192-2}
export DEBIAN_FRONTEND=noninteractive

die() { echo "build.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || [ "${SKIP_APT:-0}" = 1 ] || die "run as root (apt-get, dpkg --add-architecture)"
grep -q 'VERSION_CODENAME=bookworm' /etc/os-release ||
	echo "build.sh: warning: not Debian 12 (bookworm); package names may differ" >&2
for input in nspire-guest.config nspire-cx-overrides.dtsi initramfs.list \
	rootfs/etc/inittab rootfs/etc/init.d/rcS rootfs/etc/init.d/rcK; do
	[ -f "$HERE/$input" ] || die "$HERE/$input missing"
done

# ---------------------------------------------------------------- 1. packages
if [ "${SKIP_APT:-0}" != 1 ]; then
	grep -qx armel <<< "$(dpkg --print-foreign-architectures)" || dpkg --add-architecture armel
	apt-get update -q
	src_pkg=linux-source-6.1
	if grep -qx "$LINUX_SOURCE_VERSION" <<< "$(apt-cache madison linux-source-6.1 | awk '{print $3}')"; then
		src_pkg="linux-source-6.1=$LINUX_SOURCE_VERSION"
	else
		echo "build.sh: warning: linux-source-6.1 $LINUX_SOURCE_VERSION not offered;" \
			"using $(apt-cache policy linux-source-6.1 | awk '/Candidate/{print $2}')" >&2
	fi
	apt-get install -y -q --no-install-recommends --allow-downgrades \
		gcc-arm-linux-gnueabi binutils-arm-linux-gnueabi make bc bison flex \
		libssl-dev libelf-dev cpio device-tree-compiler xz-utils gcc libc6-dev \
		"$src_pkg"
fi
command -v arm-linux-gnueabi-gcc >/dev/null || die "arm-linux-gnueabi-gcc missing"
TARBALL=/usr/src/linux-source-6.1.tar.xz
[ -f "$TARBALL" ] || die "$TARBALL missing (package linux-source-6.1)"

mkdir -p "$WORK" "$OUT"
(cd "$WORK" && rm -rf debs busybox-armel linux-source-6.1 out ./*.log ./*.config vmlinux.strings)
mkdir -p "$WORK/debs"

# ----------------------------------------------------- 2. busybox for armel
(
	cd "$WORK/debs"
	# apt's download sandbox user must be able to write here
	if id _apt >/dev/null 2>&1; then chown _apt "$WORK/debs" 2>/dev/null || true; fi
	apt-get download -q busybox-static:armel
)
BB_DEB=$(ls "$WORK"/debs/busybox-static_*_armel.deb)
dpkg -x "$BB_DEB" "$WORK/busybox-armel"
BUSYBOX=$WORK/busybox-armel/bin/busybox
attrs=$(arm-linux-gnueabi-readelf -A "$BUSYBOX")
grep -q 'Tag_CPU_arch: v5TE' <<< "$attrs" || die "busybox is not ARMv5TE: $attrs"
grep -q 'Version5 EABI' <<< "$(arm-linux-gnueabi-readelf -h "$BUSYBOX")" || die "busybox is not EABI5"

# --------------------------------------------------------- 3. linux source
tar -C "$WORK" -xf "$TARBALL"
SRC=$WORK/linux-source-6.1
KOUT=$WORK/out
DTS=$SRC/arch/arm/boot/dts/nspire-cx.dts
[ -d "$SRC/arch/arm/mach-nspire" ] || die "no arch/arm/mach-nspire in $SRC"
[ -f "$DTS" ] || die "no nspire-cx.dts in $SRC"
{ echo; cat "$HERE/nspire-cx-overrides.dtsi"; } >> "$DTS"

# Fixed build identity, so that the same package versions give the same image.
export ARCH=arm CROSS_COMPILE=arm-linux-gnueabi-
export KBUILD_BUILD_USER=nspire KBUILD_BUILD_HOST=debian12 KBUILD_BUILD_VERSION=1
EPOCH=$(stat -c %Y "$TARBALL")
export KBUILD_BUILD_TIMESTAMP="$(date -u -d "@$EPOCH")"

# ------------------------------------------------------------ 4. initramfs
# CONFIG_INITRAMFS_SOURCE and the list's locations are relative to the build folder.
mkdir -p "$KOUT"
cp "$HERE/initramfs.list" "$KOUT/initramfs.list"
cp -r "$HERE/rootfs" "$KOUT/rootfs"
mkdir -p "$KOUT/rootfs/bin"
cp "$BUSYBOX" "$KOUT/rootfs/bin/busybox"
# gen_init_cpio stores each file's own mtime
find "$KOUT/rootfs" "$KOUT/initramfs.list" -exec touch -h -d "@$EPOCH" {} +

# --------------------------------------------------------------- 5. config
make -s -C "$SRC" O="$KOUT" multi_v4t_defconfig
cp "$KOUT/.config" "$WORK/base-multi_v4t.config"
(cd "$SRC" && scripts/kconfig/merge_config.sh -O "$KOUT" -m "$WORK/base-multi_v4t.config" \
	"$HERE/nspire-guest.config" > "$WORK/merge_config.log")
make -s -C "$SRC" O="$KOUT" olddefconfig > "$WORK/olddefconfig.log" 2>&1 ||
	{ cat "$WORK/olddefconfig.log" >&2; die "make olddefconfig failed"; }

# every line of the fragment must have taken effect
missing=0
while read -r line; do
	case "$line" in
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		if grep -q "^$sym=" "$KOUT/.config"; then echo "not applied: $line" >&2; missing=1; fi ;;
	CONFIG_*)
		grep -qxF "$line" "$KOUT/.config" || { echo "not applied: $line" >&2; missing=1; } ;;
	esac
done < "$HERE/nspire-guest.config"
[ "$missing" = 0 ] || die "config fragment not fully applied"

# ---------------------------------------------------------------- 6. build
start=$(date +%s)
nice -n 19 make -C "$SRC" O="$KOUT" -j"$JOBS" zImage nspire-cx.dtb > "$WORK/build.log" 2>&1 ||
	{ tail -20 "$WORK/build.log" >&2; die "kernel build failed, see $WORK/build.log"; }
end=$(date +%s)
grep -E 'warning:' "$WORK/build.log" || true
[ -f "$KOUT/arch/arm/boot/zImage" ] || die "no zImage built"
[ -f "$KOUT/arch/arm/boot/dts/nspire-cx.dtb" ] || die "no nspire-cx.dtb built"
grep -q 'arm,pl031' "$KOUT/arch/arm/boot/dts/nspire-cx.dtb" || die "the rtc override is not in the DTB"

# ------------------------------------------------------------- 7. artifacts
cp "$KOUT/arch/arm/boot/zImage" "$OUT/zImage"
cp "$KOUT/arch/arm/boot/dts/nspire-cx.dtb" "$OUT/nspire-cx.dtb"
cp "$KOUT/.config" "$OUT/kernel.config"
cp "$KOUT/System.map" "$OUT/System.map"

arm-linux-gnueabi-strings "$KOUT/vmlinux" > "$WORK/vmlinux.strings"
version=$(grep -m1 '^Linux version ' "$WORK/vmlinux.strings")
{
	echo "kernel: $version"
	echo "release: $(cat "$KOUT/include/config/kernel.release")"
	echo "linux-source-6.1: $(dpkg-query -W -f='${Version}' linux-source-6.1)"
	echo "gcc-arm-linux-gnueabi: $(dpkg-query -W -f='${Version}' gcc-12-arm-linux-gnueabi)"
	echo "binutils-arm-linux-gnueabi: $(dpkg-query -W -f='${Version}' binutils-arm-linux-gnueabi)"
	echo "busybox-static:armel: $(basename "$BB_DEB")"
	echo "busybox: $(arm-linux-gnueabi-readelf -A "$BUSYBOX" | grep -E 'Tag_CPU_(name|arch):' | tr -s ' ' | tr '\n' ' ')"
	echo "zImage bytes: $(stat -c %s "$OUT/zImage")"
	echo "nspire-cx.dtb bytes: $(stat -c %s "$OUT/nspire-cx.dtb")"
	echo "Image bytes (uncompressed, incl. initramfs): $(stat -c %s "$KOUT/arch/arm/boot/Image")"
	echo "initramfs cpio bytes: $(stat -c %s "$KOUT/usr/initramfs_data.cpio")"
} > "$OUT/BUILD-INFO.txt"
(cd "$OUT" && sha256sum zImage nspire-cx.dtb kernel.config System.map > SHA256SUMS)
cat "$OUT/BUILD-INFO.txt"
echo "build seconds (nice -n 19 make -j$JOBS zImage nspire-cx.dtb, $(nproc) cores): $((end - start))"
echo "artifacts in $OUT"
[ "$SCRATCH" = 0 ] || rm -rf "$WORK"
