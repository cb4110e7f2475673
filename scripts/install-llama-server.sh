#!/usr/bin/env bash
# Installs a real llama-server for the tests into .cache/llama-server/ of this repository, never
# system-wide: Debian testing's packages are fetched with apt-get download through a private sources
# list and state directory (the system's apt configuration is left as it is), unpacked with dpkg -x,
# and started through the loader of the unpacked libc6, since the server needs a newer libc than an
# older system has. Prints the wrapper's path; a no-op when the wrapper already answers --version.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="$PWD/.cache/llama-server"
root="$cache/root"
apt_dir="$cache/apt"
wrapper="$cache/llama-server"
suite="forky"
mirror="http://deb.debian.org/debian"
keyring="/usr/share/keyrings/debian-archive-keyring.gpg"
arch_lib="usr/lib/x86_64-linux-gnu"
# llama.cpp-tools and what it needs; more are added below when ldd finds any missing.
packages=(llama.cpp-tools libllama0 libggml0 libc6 libstdc++6 libgcc-s1 libgomp1 libssl3t64)

if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
    echo "$wrapper"
    exit 0
fi

if [ "$(uname -m)" != x86_64 ]; then
    echo "install-llama-server: only x86_64 is supported, this is $(uname -m)" >&2
    exit 1
fi

mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/debs" "$root"
: > "$apt_dir/status"
echo "deb [signed-by=$keyring] $mirror $suite main" > "$apt_dir/sources.list"
# Every path apt reads or writes points into the cache. Run as root, apt would fetch as the _apt user,
# who may not write into the checkout, so it keeps the caller's user.
apt_options=(
    -o Dir::Etc::SourceList="$apt_dir/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null
    -o Dir::Etc::PreferencesParts=/dev/null
    -o Dir::State="$apt_dir"
    -o Dir::State::Lists="$apt_dir/lists"
    -o Dir::State::status="$apt_dir/status"
    -o Dir::Cache="$apt_dir"
    -o Dir::Cache::Archives="$apt_dir/archives"
    -o Debug::NoLocking=1
    -o APT::Architecture=amd64
    -o APT::Architectures=amd64
    -o APT::Sandbox::User=root
)

echo "install-llama-server: reading the package lists of Debian $suite" >&2
apt-get -q "${apt_options[@]}" update >&2

download() {
    (cd "$apt_dir/debs" && apt-get -q "${apt_options[@]}" download "$@" >&2)
    for deb in "$apt_dir"/debs/*.deb; do
        dpkg -x "$deb" "$root"
    done
}

download "${packages[@]}"

server="$root/usr/bin/llama-server"
loader="$root/$arch_lib/ld-linux-x86-64.so.2"
backends="$root/$arch_lib/ggml/backends0"
# Libraries sit in the multiarch folder and, for the server's own ones, in llama/ below it.
library_path="$root/$arch_lib:$root/$arch_lib/llama"

# A library that neither the unpacked packages nor the system provide belongs to a package not fetched
# yet: Debian names it after the library's soname (libzstd.so.1 -> libzstd1, or libzstd1t64 since the 64-bit
# time transition), so fetch the first of those that exists.
missing=$("$loader" --library-path "$library_path" --list "$server" 2>/dev/null | awk '/not found/ {print $1}' || true)
if [ -n "$missing" ]; then
    extra=()
    for lib in $missing; do
        base=$(echo "$lib" | sed -E 's/\.so\.?([0-9.]*)$/ \1/')
        name=${base% *}
        version=${base#* }
        found=""
        for candidate in "$name$version" "$name$version"t64 "$name-$version" "$name-$version"t64; do
            if apt-cache "${apt_options[@]}" show "$candidate" >/dev/null 2>&1; then
                found=$candidate
                break
            fi
        done
        if [ -z "$found" ]; then
            echo "install-llama-server: $lib is missing and no package of $suite is named after it" >&2
            exit 1
        fi
        echo "install-llama-server: $lib is missing, fetching $found" >&2
        extra+=("$found")
    done
    rm -f "$apt_dir"/debs/*.deb
    download "${extra[@]}"
fi

write_wrapper() {
    cat > "$wrapper" <<WRAPPER
#!/bin/sh
# Runs Debian $suite's llama-server through the loader of its own libc6 (see
# scripts/install-llama-server.sh). exec keeps the pid: whoever started this script can signal the
# server itself.
GGML_BACKEND_PATH="$1"
export GGML_BACKEND_PATH
exec "$loader" --library-path "$library_path" "$server" "\$@"
WRAPPER
    chmod +x "$wrapper"
}

# The haswell backend is the faster one but needs AVX2 and its companions, which --version does not
# exercise (backends load with a model), so the CPU's flags decide; the x64 one runs on any x86-64 CPU.
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
choices=(x64)
if [[ $flags == *" avx2 "* && $flags == *" fma "* && $flags == *" f16c "* && $flags == *" bmi2 "* ]]; then
    choices=(haswell x64)
fi
for backend in "${choices[@]}"; do
    file="$backends/libggml-cpu-$backend.so"
    [ -f "$file" ] || continue
    write_wrapper "$file"
    if "$wrapper" --version >&2; then
        echo "install-llama-server: installed with the $backend CPU backend" >&2
        echo "$wrapper"
        exit 0
    fi
done

rm -f "$wrapper"
echo "install-llama-server: the unpacked llama-server does not run; see $cache" >&2
exit 1
