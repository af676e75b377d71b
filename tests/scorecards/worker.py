"""A separate application process for test_two_processes: reads commands on stdin, answers one
line each. ``get CODE`` → the scorecard JSON's citizen n; ``rate CODE SUBJECT SCORE`` → the status."""
import json
import sys

from feedback import create_app


def main(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "worker-secret", "RATELIMIT_ENABLED": False,
                      "ABUSE_MIN_FILL_SECONDS": 0})
    client = app.test_client()
    residents = 0
    for line in sys.stdin:
        command, *args = line.split()
        with app.app_context():
            if command == "get":
                body = client.get(f"/api/v1/municipalities/{args[0]}/scorecard").get_json()
                print(json.dumps({"n": body["citizen"]["n"], "index": body["citizen"]["index"],
                                  "position": body["position"]}), flush=True)
            elif command == "rate":
                # Each rating a new resident at an address of their own (as the anti-abuse rules expect).
                residents += 1
                response = app.test_client().post("/api/v1/ratings", json={"municipality": args[0], "subject": args[1],
                                                                 "overall": int(args[2])},
                                                  environ_base={"REMOTE_ADDR": f"10.9.{residents // 250}.{residents % 250}"})
                print(json.dumps({"status": response.status_code}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
