#!/usr/bin/env python3
"""A TCP proxy that can make a database "go away" for one application only (loopback, for the
load script): SIGUSR1 cuts every connection and refuses new ones, SIGUSR2 accepts again.

    python3 scripts/tcp_proxy.py 127.0.0.1:7391 127.0.0.1:5432

The shared PostgreSQL server itself is never stopped; only the connections through this proxy are.

A pair ends as a TCP connection between two live hosts would: when either side closes, the other is
shut down too (a bare ``close()`` does not wake a thread blocked in ``recv()`` on the same socket,
and left the database holding an "idle in transaction" backend, and its row locks, for good).
"""
import signal
import socket
import sys
import threading

down = threading.Event()
connections: set[socket.socket] = set()
# Re-entrant: the signal handlers run in the main thread, possibly while it holds the lock.
lock = threading.RLock()


def close(*sockets: socket.socket) -> None:
    """Shut down (which wakes a thread blocked in recv on it), then close."""
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()
    with lock:
        connections.difference_update(sockets)


def pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        close(source, target)


def cut(*_):
    down.set()
    with lock:
        close(*connections)
    print("proxy: down", flush=True)


def restore(*_):
    down.clear()
    print("proxy: up", flush=True)


def main(listen: str, target: str) -> None:
    host, port = listen.rsplit(":", 1)
    thost, tport = target.rsplit(":", 1)
    signal.signal(signal.SIGUSR1, cut)
    signal.signal(signal.SIGUSR2, restore)
    server = socket.create_server((host, int(port)), reuse_port=False)
    print(f"proxy: {listen} -> {target}", flush=True)
    while True:
        client, _ = server.accept()
        if down.is_set():
            client.close()
            continue
        try:
            upstream = socket.create_connection((thost, int(tport)), timeout=5)
            upstream.settimeout(None)
        except OSError:
            client.close()
            continue
        with lock:
            if down.is_set():  # cut while this pair was being connected
                close(client, upstream)
                continue
            connections.update((client, upstream))
        threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
