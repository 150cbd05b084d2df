#!/usr/bin/env bash
# Przystań's nightly backup (docs/operations.md, "Backups"), run by ops/systemd/przystan-backup.*:
#   BACKUP_DIR/<date>/przystan.dump   the database (pg_dump, custom format), checked readable
#   BACKUP_DIR/<date>/media/          the uploaded documents' sealed files (MEDIA_ROOT)
#   LEDGER_COPY_DIR/<date>/           the erasure ledger and the anchor file, kept APART from the
#                                     dumps (a restore needs today's ledger, not the dump's night's)
# Never the keys: they are kept apart by hand (docs/operations.md). Dumps older than the backups'
# retention period are deleted: the DPO's period (retention page, kind "backup"; read by
# `manage.py retention_days backup` from the app folder), or BACKUP_KEEP_DAYS when set. Exits non-zero on any failure (OnFailure= alerts).
set -euo pipefail

: "${BACKUP_DATABASE_URL:?set BACKUP_DATABASE_URL (postgres://przystan_owner@host/przystan)}"
: "${BACKUP_DIR:?set BACKUP_DIR (where the dumps go)}"
: "${LEDGER_COPY_DIR:?set LEDGER_COPY_DIR (apart from BACKUP_DIR: another disk or machine)}"
if [ -n "${BACKUP_KEEP_DAYS:-}" ]; then
  keep_days="$BACKUP_KEEP_DAYS"
else
  keep_days="$("${PRZYSTAN_PYTHON:-.venv/bin/python}" manage.py retention_days backup)"
fi
case "$keep_days" in
  '' | *[!0-9]*) echo "backup: no retention period in days (got '$keep_days')" >&2; exit 1 ;;
esac
today="$(date +%F)"
umask 077

dump_dir="$BACKUP_DIR/$today"
mkdir -p "$dump_dir"
pg_dump --format=custom --file="$dump_dir/przystan.dump.part" "$BACKUP_DATABASE_URL"
# A dump pg_restore cannot list is not a backup.
pg_restore --list "$dump_dir/przystan.dump.part" >/dev/null
mv "$dump_dir/przystan.dump.part" "$dump_dir/przystan.dump"

if [ -n "${MEDIA_ROOT:-}" ] && [ -d "$MEDIA_ROOT" ]; then
  mkdir -p "$dump_dir/media"
  cp -a "$MEDIA_ROOT/." "$dump_dir/media/"
fi

ledger_dir="$LEDGER_COPY_DIR/$today"
mkdir -p "$ledger_dir"
for file in "${PRZYSTAN_ERASURE_LEDGER:-}" "${PRZYSTAN_ANCHOR_FILE:-}"; do
  if [ -n "$file" ] && [ -f "$file" ]; then
    cp -a "$file" "$ledger_dir/"
  fi
done

find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '????-??-??' -mtime +"$keep_days" \
  -exec rm -rf {} +
echo "Backup of $today: $(du -sh "$dump_dir" | cut -f1) in $dump_dir; ledger and anchors in $ledger_dir"
