# Sourced by the Debian image build scripts (POSIX sh). Prints the Debian mirror to debootstrap
# SUITE from: $BETANG_DEBIAN_MIRROR, else the first mirror serving SUITE in the machine's apt
# sources (deb822 stanzas first, then one-line sources), else deb.debian.org.
#
#   mirror=$(debian_mirror bookworm)
debian_mirror() {
  suite=$1
  mirror="${BETANG_DEBIAN_MIRROR:-}"
  if [ -z "$mirror" ]; then
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      mirror=$(awk -v suite="$suite" '
        /^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri=""; ok=0; next }
        /^URIs:/ { uri=$2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok=1 }
        END { if (uri != "" && ok) print uri }' "$f" | head -n1)
      [ -n "$mirror" ] && break
    done
  fi
  if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v suite="$suite" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == suite) { print $i; exit } } }')
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}
