#!/bin/bash
# Build the TI-Nspire CX Linux test guest from Debian 12 packages only:
#   mainline Linux 6.1 (Debian's linux-source-6.1) for the nspire-cx device tree,
#   with a busybox (busybox-static:armel) initramfs built into the zImage.
#
# Usage (as root, on Debian 12 "bookworm"):
#   tools/linux-guest/build.sh OUT_DIR
# e.g. OUT_DIR = ../shared/guests/linux-nspire to refresh the guest the tests boot.
# Environment:
#   WORK=DIR                      scratch folder (source tree, objects, busybox);
#                                 a new temporary folder by default
#   JOBS=2                        make -j value (the build runs under nice -n 19)
#   LINUX_SOURCE_VERSION=6.1.192-2   Debian version of linux-source-6.1 to use;
#                                    falls back to the newest one apt offers.
#   SKIP_APT=1                    do not run apt-get (packages already installed)
#
# Everything comes from Debian's archive through apt-get; nothing else is
# downloaded. The result: zImage, nspire-cx.dtb, kernel.config, System.map,
# the config fragment and its full effect, the initramfs list and /init, a
# decompiled DTS, BUILD-INFO.txt and SHA256SUMS. README.md in OUT_DIR is
# written by hand and left alone.
set -euo pipefail

OUT=${1:?usage: build.sh OUT_DIR}
WORK=${WORK:-$(mktemp -d -t linux-guest.XXXXXX)}
JOBS=${JOBS:-2}
LINUX_SOURCE_VERSION=${LINUX_SOURCE_VERSION:-6.1.192-2}
export DEBIAN_FRONTEND=noninteractive

die() { echo "build-linux-guest: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (apt-get, dpkg --add-architecture)"
grep -q 'VERSION_CODENAME=bookworm' /etc/os-release ||
	echo "build-linux-guest: warning: not Debian 12 (bookworm); package names may differ" >&2

# ---------------------------------------------------------------- 1. packages
if [ "${SKIP_APT:-0}" != 1 ]; then
	grep -qx armel <<< "$(dpkg --print-foreign-architectures)" || dpkg --add-architecture armel
	apt-get update -q
	src_pkg=linux-source-6.1
	if grep -qx "$LINUX_SOURCE_VERSION" <<< "$(apt-cache madison linux-source-6.1 | awk '{print $3}')"; then
		src_pkg="linux-source-6.1=$LINUX_SOURCE_VERSION"
	else
		echo "build-linux-guest: warning: linux-source-6.1 $LINUX_SOURCE_VERSION not offered;" \
			"using $(apt-cache policy linux-source-6.1 | awk '/Candidate/{print $2}')" >&2
	fi
	apt-get install -y -q --no-install-recommends \
		gcc-arm-linux-gnueabi binutils-arm-linux-gnueabi make bc bison flex \
		libssl-dev libelf-dev cpio device-tree-compiler xz-utils gcc libc6-dev \
		"$src_pkg"
fi
command -v arm-linux-gnueabi-gcc >/dev/null || die "arm-linux-gnueabi-gcc missing"
TARBALL=/usr/src/linux-source-6.1.tar.xz
[ -f "$TARBALL" ] || die "$TARBALL missing (package linux-source-6.1)"

rm -rf "$WORK"
mkdir -p "$WORK/debs" "$WORK/initramfs" "$OUT"

# ----------------------------------------------------- 2. busybox for armel
(
	cd "$WORK/debs"
	# apt's download sandbox user must be able to write here
	if id _apt >/dev/null 2>&1; then chown _apt "$WORK/debs"; fi
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
[ -d "$SRC/arch/arm/mach-nspire" ] || die "no arch/arm/mach-nspire in $SRC"
[ -f "$SRC/arch/arm/boot/dts/nspire-cx.dts" ] || die "no nspire-cx.dts in $SRC"

# Fixed build identity, so that the same package versions give the same image.
export ARCH=arm CROSS_COMPILE=arm-linux-gnueabi-
export KBUILD_BUILD_USER=nspire KBUILD_BUILD_HOST=debian12 KBUILD_BUILD_VERSION=1
EPOCH=$(stat -c %Y "$TARBALL")
export KBUILD_BUILD_TIMESTAMP="$(date -u -d "@$EPOCH")"

# ------------------------------------------------------------ 4. initramfs
cat > "$WORK/initramfs/init" <<'EOF'
#!/bin/sh
# /init of the nspire-linux test guest (busybox, runs as PID 1)
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
hostname nspire
echo "nspire-linux guest up"
uname -a
cat /proc/cpuinfo
# same banner on the framebuffer console (PL111 LCD), if there is one
[ -c /dev/tty1 ] && echo "nspire-linux guest up" > /dev/tty1 2>/dev/null
# PID 1 must never exit: respawn the console shell
while true; do
	setsid cttyhack sh
	echo "console shell exited; starting a new one"
done
EOF
chmod 755 "$WORK/initramfs/init"
cat > "$WORK/initramfs/initramfs.list" <<EOF
# gen_init_cpio list for the nspire-linux guest (CONFIG_INITRAMFS_SOURCE)
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/null 0666 0 0 c 1 3
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 1777 0 0
dir /root 0700 0 0
dir /etc 0755 0 0
dir /bin 0755 0 0
dir /sbin 0755 0 0
dir /usr 0755 0 0
dir /usr/bin 0755 0 0
dir /usr/sbin 0755 0 0
file /bin/busybox $BUSYBOX 0755 0 0
slink /bin/sh busybox 0777 0 0
slink /bin/mount busybox 0777 0 0
file /init $WORK/initramfs/init 0755 0 0
EOF
touch -d "@$EPOCH" "$WORK/initramfs/init" "$WORK/initramfs/initramfs.list"

# --------------------------------------------------------------- 5. config
# Linux 6.1 has no nspire_defconfig; multi_v4t_defconfig is the in-tree
# defconfig that enables CONFIG_ARCH_NSPIRE. This fragment is every change.
cat > "$WORK/nspire-guest.config" <<EOF
# Config fragment for the TI-Nspire CX Linux test guest.
# Base: arch/arm/configs/multi_v4t_defconfig (Linux 6.1 has no nspire_defconfig;
# multi_v4t_defconfig is the in-tree defconfig that enables CONFIG_ARCH_NSPIRE).
# Applied with scripts/kconfig/merge_config.sh, then \`make olddefconfig\`.

## 1. Only the TI-Nspire platform (drop the other ARMv4T/v5 boards of multi_v4t)
# CONFIG_ARCH_AT91 is not set
# CONFIG_ARCH_CLPS711X is not set
# CONFIG_ARCH_MXC is not set
# CONFIG_ARCH_INTEGRATOR is not set
CONFIG_ARCH_NSPIRE=y

## 2. gzip-compressed zImage (base uses LZMA; gzip decompresses much faster in an emulator)
CONFIG_KERNEL_GZIP=y

## 3. Built-in initramfs (busybox), stored uncompressed inside the already-compressed zImage
CONFIG_BLK_DEV_INITRD=y
CONFIG_INITRAMFS_SOURCE="$WORK/initramfs/initramfs.list"
CONFIG_INITRAMFS_COMPRESSION_NONE=y
CONFIG_DEVTMPFS=y

## 4. Serial console on the PL011 UART (ttyAMA0)
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y

## 5. Framebuffer console on the PL111 LCD (DRM pl111 + simple panel + fbdev emulation)
CONFIG_VT=y
CONFIG_VT_CONSOLE=y
CONFIG_INPUT=y
CONFIG_DRM=y
CONFIG_DRM_PL111=y
CONFIG_DRM_PANEL_SIMPLE=y
CONFIG_DRM_FBDEV_EMULATION=y
CONFIG_BACKLIGHT_CLASS_DEVICE=y
CONFIG_FRAMEBUFFER_CONSOLE=y

## 6. Nspire keypad (input for the VT on the LCD)
CONFIG_KEYBOARD_NSPIRE=y

## 7. Trim drivers that multi_v4t_defconfig enables for its other boards
# CONFIG_MTD is not set
# CONFIG_I2C_GPIO is not set
# CONFIG_SPI is not set
# CONFIG_W1 is not set
# CONFIG_PWM is not set
# CONFIG_WATCHDOG is not set
# CONFIG_POWER_RESET is not set
# CONFIG_NEW_LEDS is not set
# CONFIG_LCD_CLASS_DEVICE is not set
# CONFIG_CRAMFS is not set
# CONFIG_MINIX_FS is not set
# (turning on INPUT would otherwise pull in the PC keyboard/mouse and SERIO)
# CONFIG_KEYBOARD_ATKBD is not set
# CONFIG_INPUT_MOUSE is not set
EOF

make -s -C "$SRC" O="$KOUT" multi_v4t_defconfig
cp "$KOUT/.config" "$WORK/base-multi_v4t.config"
(cd "$SRC" && scripts/kconfig/merge_config.sh -O "$KOUT" -m "$WORK/base-multi_v4t.config" \
	"$WORK/nspire-guest.config" > "$WORK/merge_config.log")
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
done < "$WORK/nspire-guest.config"
[ "$missing" = 0 ] || die "config fragment not fully applied"

# ---------------------------------------------------------------- 6. build
start=$(date +%s)
nice -n 19 make -C "$SRC" O="$KOUT" -j"$JOBS" zImage nspire-cx.dtb > "$WORK/build.log" 2>&1 ||
	{ tail -20 "$WORK/build.log" >&2; die "kernel build failed, see $WORK/build.log"; }
end=$(date +%s)
grep -E 'warning:' "$WORK/build.log" || true
[ -f "$KOUT/arch/arm/boot/zImage" ] || die "no zImage built"
[ -f "$KOUT/arch/arm/boot/dts/nspire-cx.dtb" ] || die "no nspire-cx.dtb built"

# ------------------------------------------------------------- 7. artifacts
cp "$KOUT/arch/arm/boot/zImage" "$OUT/zImage"
cp "$KOUT/arch/arm/boot/dts/nspire-cx.dtb" "$OUT/nspire-cx.dtb"
cp "$KOUT/.config" "$OUT/kernel.config"
cp "$KOUT/System.map" "$OUT/System.map"
cp "$WORK/nspire-guest.config" "$OUT/nspire-guest.config"
cp "$WORK/initramfs/initramfs.list" "$OUT/initramfs.list"
cp "$WORK/initramfs/init" "$OUT/init"
dtc -q -I dtb -O dts -o "$OUT/nspire-cx.decompiled.dts" "$OUT/nspire-cx.dtb"
diff <(grep '^CONFIG_' "$WORK/base-multi_v4t.config" | sort) \
	<(grep '^CONFIG_' "$KOUT/.config" | sort) > "$OUT/config-diff-vs-multi_v4t.txt" || true

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
	echo "build seconds (nice -n 19 make -j$JOBS zImage nspire-cx.dtb, $(nproc) cores): $((end - start))"
} > "$OUT/BUILD-INFO.txt"
(cd "$OUT" && sha256sum zImage nspire-cx.dtb kernel.config System.map > SHA256SUMS)
cat "$OUT/BUILD-INFO.txt"
echo "artifacts in $OUT"
