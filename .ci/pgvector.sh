#!/usr/bin/env bash
# Best effort, for CI's second pass: gives the machine's PostgreSQL 15 the pgvector extension so
# the knowledge-base tests take the pgvector path there (the embedded pass covers the exact scan).
# Debian 12 packages no pgvector for PostgreSQL 15; Debian's own source package (from trixie)
# builds against it in ~30 s. Any failure leaves the server as it was: the tests handle both paths.
set -uo pipefail
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
if [ -z "${FORCE:-}" ] && [ -f /usr/share/postgresql/15/extension/vector.control ]; then
  echo "pgvector already installed for PostgreSQL 15"
  exit 0
fi
[ -x "$PG_CONFIG" ] || [ -d /usr/lib/postgresql/15 ] || { echo "no PostgreSQL 15 here: skipped"; exit 0; }
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$work/lists/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$work/sources.list"
apt_src=(-o APT::Sandbox::User=root -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists")
{
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-server-dev-15 make gcc >/dev/null &&
    apt-get "${apt_src[@]}" update -qq &&
    (cd "$work" && apt-get "${apt_src[@]}" source --download-only -qq pgvector >/dev/null) &&
    (cd "$work" && tar xf pgvector_*.orig.tar.* && cd pgvector-*/ &&
      make -s PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null &&
      $sudo make -s install PG_CONFIG="$PG_CONFIG" ${DESTDIR:+DESTDIR="$DESTDIR"} >/dev/null)
} && echo "pgvector built and installed for PostgreSQL 15" || echo "pgvector could not be built: the second pass uses the exact scan" >&2
exit 0
