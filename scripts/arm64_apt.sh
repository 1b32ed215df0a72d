# Sourced by the fetch scripts: apt with Debian's arm64 package lists in a
# private state directory (removed on exit), so that nothing is installed or
# changed on this system. Needs only apt-get, apt-cache and dpkg-deb.

# Make the state directory and read the arm64 lists; sets ARM64_STATE and
# the apt options ARM64_APT.
arm64_apt_init() {
	ARM64_STATE=$(mktemp -d)
	trap 'rm -rf "$ARM64_STATE"' EXIT
	mkdir -p "$ARM64_STATE/lists/partial" "$ARM64_STATE/cache/archives/partial"
	ARM64_APT=(-o APT::Architecture=arm64 -o APT::Architectures=arm64
		   -o Dir::State::Lists="$ARM64_STATE/lists" -o Dir::Cache="$ARM64_STATE/cache"
		   -o Dir::State::Status=/dev/null -o Debug::NoLocking=1
		   -o APT::Sandbox::User="$(id -un)")
	apt-get "${ARM64_APT[@]}" -qq update
}

# Download package $1 and unpack it into $ARM64_STATE/x; prints the .deb's name.
arm64_apt_unpack() {
	(cd "$ARM64_STATE" && apt-get "${ARM64_APT[@]}" -qq download "$1")
	dpkg -x "$ARM64_STATE"/"$1"_*.deb "$ARM64_STATE/x"
	basename "$ARM64_STATE"/"$1"_*.deb .deb
}
