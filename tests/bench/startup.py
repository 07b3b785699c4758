#!/usr/bin/env python3
"""Start-up time of Kansli: from exec to the first answered request (GET /login,
200) on an existing database, repeated; prints each and the median in ms.

The database is made by a first start (not counted) and stopped with SIGTERM; each
timed start is stopped the same way. Standard library only.

    python3 tests/bench/startup.py KANSLI_BINARY [RUNS, default 20]
"""
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(port, proc, request):
    """Polls until a whole 200 answer comes back; the monotonic time it did."""
    while True:
        if proc.poll() is not None:
            sys.exit(f"kansli exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(request)
                answer = b""
                while b"\r\n\r\n" not in answer:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
                if answer.startswith(b"HTTP/1.1 200"):
                    return time.monotonic()
        except OSError:
            pass
        time.sleep(0.0005)


def start(binary, env, port):
    """The milliseconds from exec to the first answered request."""
    request = f"GET /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
    began = time.monotonic()
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    answered = first_answer(port, proc, request)
    proc.send_signal(signal.SIGTERM)
    if proc.wait(timeout=60) != 0:
        sys.exit(f"kansli exited with {proc.returncode} after SIGTERM")
    return (answered - began) * 1000


def main():
    binary = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    tmp = tempfile.mkdtemp(prefix="kansli-startup-")
    try:
        port = free_port()
        env = dict(os.environ, KANSLI_LISTEN=f"127.0.0.1:{port}",
                   KANSLI_DATA_DIR=os.path.join(tmp, "data"), KANSLI_LOG="warn")
        env.pop("KANSLI_CONFIG", None)
        start(binary, env, port)  # makes the database
        times = [start(binary, env, port) for _ in range(runs)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("startup: " + " ".join(f"{t:.1f}" for t in times) + " ms")
    print(f"start, exec to first answer (median of {runs}): {statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
