#!/usr/bin/env python3
"""A PostgreSQL server that refuses every login, for the store's messages.

Python standard library only; listens on loopback. Started with --port 0, it
prints the chosen port alone on the first line of stdout (like the other test
servers). Each connection: an SSLRequest is answered 'N' (no TLS), the
startup packet is read, a cleartext password is asked for; a client that has
none gives up ("fe_sendauth: no password supplied"), one that sends it gets
FATAL 28P01 "password authentication failed for user ...", as a real server
with a wrong password would answer.
"""
import argparse
import socket
import struct
import sys
import threading

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def startup(conn):
    """Returns the startup packet's parameters, after refusing TLS."""
    while True:
        length, code = struct.unpack("!II", read_exact(conn, 8))
        body = read_exact(conn, length - 8)
        if code in (SSL_REQUEST, GSSENC_REQUEST):
            conn.sendall(b"N")
            continue
        items = body.split(b"\0")
        return dict(zip(items[0::2], items[1::2]))


def serve(conn):
    try:
        params = startup(conn)
        user = params.get(b"user", b"?").decode()
        conn.sendall(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
        kind = read_exact(conn, 1)
        (length,) = struct.unpack("!I", read_exact(conn, 4))
        read_exact(conn, length - 4)
        if kind != b"p":
            return
        fields = (b"SFATAL\0VFATAL\0C28P01\0M" +
                  ('password authentication failed for user "%s"' % user).encode() + b"\0\0")
        conn.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    sys.stdout.close()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
