"""Time one page in one process with the Flask test client: wall and CPU time per request, medians.

    DATABASE_URL=sqlite:///instance/demo.sqlite3 .venv/bin/python bench/page_time.py /ru/compare 8

The first request also warms the process (imports, templates, a stale shared context); the medians
are what a warm worker spends. Used for the comparison page (docs/performance.md)."""
import sys
import time

from feedback import create_app


def main() -> None:
    app = create_app()
    client = app.test_client()
    url, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    wall, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        assert response.status_code == 200, response.status_code
    print(url, "bytes", len(response.data), "wall", " ".join(f"{x:.3f}" for x in wall),
          "median", f"{sorted(wall)[n // 2]:.3f}", "cpu median", f"{sorted(cpu)[n // 2]:.3f}")


if __name__ == "__main__":
    main()
