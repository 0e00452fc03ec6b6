#!/bin/sh
# Builds libfarmgate_udp-<arch>.so (batched UDP, see farmgate_udp.c) into the module's classes, so it
# ships inside the jar. Run by Maven (dns/pom.xml, process-classes) as: build.sh JAVA_HOME OUT_DIR
# Without a C compiler or JNI headers it builds nothing and says so: farmgate DNS then takes one UDP
# packet per system call, which works everywhere.
set -eu
java_home=$1
out=$2
src="$(cd "$(dirname "$0")" && pwd)/farmgate_udp.c"
if [ "$(uname -s)" != Linux ]; then
  echo "farmgate_udp: not Linux; batched UDP left out" >&2
  exit 0
fi
cc=${CC:-}
if [ -z "$cc" ]; then
  for c in gcc cc clang; do
    if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
  done
fi
if [ -z "$cc" ]; then
  echo "farmgate_udp: WARNING: no C compiler (gcc, cc, clang); batched UDP left out of this build" >&2
  exit 0
fi
include="$java_home/include"
[ -f "$include/jni.h" ] || include="$java_home/../include" # a JRE inside a JDK
if [ ! -f "$include/jni.h" ]; then
  echo "farmgate_udp: WARNING: no jni.h under $java_home; batched UDP left out of this build" >&2
  exit 0
fi
mkdir -p "$out"
lib="$out/libfarmgate_udp-$(uname -m).so"
"$cc" -O2 -fPIC -shared -Wall -Wextra -I"$include" -I"$include/linux" -o "$lib.tmp" "$src"
mv "$lib.tmp" "$lib"
