#!/usr/bin/env python3
"""A server that accepts TCP connections and never answers: the slowest
FTPS server there is (no greeting, no reply). Tests use it to show that a
stopping daemon does not wait for the server's timeouts.

Python standard library only; listens on loopback. Started with --port 0, it
prints the chosen port alone on the first line of stdout (the convention of
tests/support/test_server_process.h)."""
import argparse
import socket
import sys
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    held = []  # connections stay open, silent, until the process ends
    lock = threading.Lock()
    while True:
        conn, _ = listener.accept()
        with lock:
            held.append(conn)


if __name__ == "__main__":
    sys.exit(main())
