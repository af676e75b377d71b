"""What a rating's aggregate upserts would cost on PostgreSQL as one statement instead of seven: the
same seven INSERT … ON CONFLICT DO UPDATE (rating, channel, cluster, composition, address count, unit
and period counters) run one by one and as data-modifying CTEs of one statement, on the driver alone
(psycopg 3, server-side prepared after five runs), each set in its own transaction, rolled back; the
median wall time per set (docs/performance.md, "What is left", session 26).

    .venv/bin/python -m bench.pg_upserts postgresql://postgres@127.0.0.1/feedback_bench50k
"""
import statistics
import sys
import time

import psycopg

SUMS = "n,total,total_sq,n1,n2,n3,n4,n5,n_verified,total_verified,total_sq_verified,n_quarantined"
ONE_RATING = "1,3,9,0,0,1,0,0,0,0,0,0"  # an accepted 3, unverified
# (table, key columns and their values, added columns and their values); %(m)s, %(s)s: the place rated.
UPSERTS = (
    ("rating_aggregate", "municipality_code,subject_code,period", "%(m)s,%(s)s,2026", SUMS, ONE_RATING),
    ("channel_aggregate", "municipality_code,subject_code,channel,period", "%(m)s,%(s)s,'web',2026", SUMS, ONE_RATING),
    ("cluster_aggregate", "municipality_code,period", "%(m)s,2026", "respondents,n_sq,y_sq,ny", "1,1,9,3"),
    ("composition_aggregate", "municipality_code,period,channel,dimension,value", "%(m)s,2026,'web','sex',''", "n", "1"),
    ("address_count", "period,municipality_code,subject_code", "2026,%(m)s,%(s)s", "addresses", "1"),
    ("unit_counter", "municipality_code,period", "%(m)s,2026", "counter", "1"),
    ("period_counter", "period", "2026", "counter", "1"),
)


def upsert(table: str, keys: str, key_values: str, columns: str, values: str) -> str:
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns.split(","))
    return (f"INSERT INTO {table} ({keys},{columns}) VALUES ({key_values},{values}) "  # noqa: S608 - constants only
            f"ON CONFLICT ({keys}) DO UPDATE SET {added}")


def main() -> None:
    conn = psycopg.connect(sys.argv[1], prepare_threshold=5)
    cur = conn.cursor()
    cur.execute("SELECT municipality_code, subject_code FROM rating_aggregate WHERE period = 2026 LIMIT 200")
    places = cur.fetchall()
    conn.rollback()
    separate = [upsert(*u) for u in UPSERTS]
    combined = "WITH " + ", ".join(f"u{i} AS ({sql} RETURNING 1)" for i, sql in enumerate(separate)) + " SELECT 1"

    def run(one_statement: bool, n: int = 400) -> float:
        times = []
        for i in range(n):
            m, s = places[i % len(places)]
            started = time.perf_counter()
            for sql in [combined] if one_statement else separate:
                cur.execute(sql, {"m": m, "s": s})
            times.append(time.perf_counter() - started)
            conn.rollback()
        return statistics.median(times[50:]) * 1000

    for one_statement in (False, True, False, True):
        print(f"{'one statement' if one_statement else 'seven statements':16} {run(one_statement):.3f} ms")


if __name__ == "__main__":
    main()
