#!/bin/sh
# Nightly PostgreSQL backup (custom format: pg_restore can restore all or part of it), copied to the
# backup host with the audit checkpoints; 30 days kept there. Restore (README, "Backups"):
#   createdb feedback_restored && pg_restore -d feedback_restored --no-owner FILE
#   DATABASE_URL=postgresql://…/feedback_restored flask --app wsgi audit verify --file audit-checkpoints.jsonl
set -eu
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file=/var/lib/feedback/backup/feedback-$stamp.dump
mkdir -p /var/lib/feedback/backup
pg_dump --format=custom --no-owner --file="$file" "$DATABASE_URL"
cp /var/lib/feedback/audit-checkpoints.jsonl "$file.audit-checkpoints.jsonl" 2>/dev/null || true
rsync -a "$file" "$file.audit-checkpoints.jsonl" backup@10.0.0.30:feedback/ 2>/dev/null || rsync -a "$file" backup@10.0.0.30:feedback/
find /var/lib/feedback/backup -name 'feedback-*' -mtime +3 -delete
