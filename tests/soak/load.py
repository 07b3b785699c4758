#!/usr/bin/env python3
"""Kansli under sustained and excessive load, each on a fresh data directory.

    python3 tests/soak/load.py KANSLI_BINARY soak SECONDS
        Mixed load (sign-ups, logins, My Page, page saves, uploads, payments, a
        caseworker) from several clients: no error answers other than deliberate
        429/503; RSS printed after a warm-up, at half time and at the end, with
        the least of each minute and the growth over the second half in MB a
        minute; open file descriptors at the start and the end; the WAL's largest
        size.
    python3 tests/soak/load.py KANSLI_BINARY logins N
        N people logging in at once for 10 s against the password-hash queue: those
        past the queue are answered 503 at once (p99 of those printed), the others
        log in (logins per second printed). Keep-alive connections; a person
        turned away tries again when the 503's Retry-After says, one who logged in
        makes way for a new person.
    python3 tests/soak/load.py KANSLI_BINARY writers N
        N people saving their application page 1,000 times each, all at once: every
        save answered 303 (no SQLITE_BUSY reaches a person).
    python3 tests/soak/load.py KANSLI_BINARY connections N
        N open keep-alive connections, each having loaded the login page, then My
        Page: the server's RSS printed.

Standard library only; the clients are tests/crash/crash.py's. The last line of each
is its figure. SERVER_CPUS and CLIENT_CPUS (e.g. 0 and 1) pin the server and this
load tool to cores of their own. Exit status 0 when every check holds (figures against goals are
judged by tests/bench/run.sh, on a quiet machine).
"""
import os
import heapq
import random
import resource
import selectors
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crash"))
import crash  # noqa: E402  (its clients and server runner)
from crash import Applicant, Caseworker, Portal, Run, Unexpected, first_csrf  # noqa: E402


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kb / 1024


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def wal_mb(data):
    try:
        return os.path.getsize(os.path.join(data, "kansli.db-wal")) / 2**20
    except FileNotFoundError:
        return 0.0


class Server:
    """A fresh data directory and Kansli serving it, stopped with SIGTERM at the end."""

    def __init__(self, kansli):
        self.tmp = tempfile.mkdtemp(prefix="kansli-load-")
        self.data = os.path.join(self.tmp, "data")
        os.mkdir(self.data, 0o700)
        port = crash.free_port()
        self.env = dict(os.environ, KANSLI_LISTEN=f"127.0.0.1:{port}", KANSLI_DATA_DIR=self.data,
                        KANSLI_BASE_URL=f"http://127.0.0.1:{port}", KANSLI_LOG="warn")
        self.env.pop("KANSLI_CONFIG", None)
        self.run = Run(self.data)
        self.link = crash.add_caseworker(kansli, self.env)
        self.portal = Portal(self.run, kansli, self.env, port)
        self.pid = self.portal.proc.pid

    def stop(self):
        proc = self.portal.proc
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if code != 0:
            sys.exit(f"kansli exited with {code}:\n{self.portal.said()}")


def person(server):
    """A confirmed account, logged in, with a draft: an Applicant at its first save."""
    applicant = Applicant(server.run, server.portal)
    while applicant.step != "save":
        applicant.one_step()
    return applicant


def soak(kansli, seconds):
    server = Server(kansli)
    errors, deliberate, done = [], {429: 0, 503: 0}, [0]
    stop = threading.Event()

    def applicant_loop():
        applicant = Applicant(server.run, server.portal)
        while not stop.is_set():
            try:
                applicant.one_step()
                if applicant.step not in ("create", "confirm"):
                    applicant.get("/account")  # My Page
                    if random.random() < 0.1:
                        log_in_again(applicant)
                done[0] += 1
            except Unexpected as e:
                errors.append(str(e))
                applicant = Applicant(server.run, server.portal)

    def log_in_again(applicant):
        """The same person logs in on another device."""
        device = crash.Client(server.run, server.portal)
        token = first_csrf(device.get("/login"))
        status, _, _ = device.browser.request("POST", "/login", {
            "csrf": token, "email": applicant.email, "password": crash.PASSWORD})
        if status in deliberate:
            deliberate[status] += 1
        elif status != 303:
            raise Unexpected(f"login of {applicant.email}: {status}")

    def caseworker_loop(worker):
        while not stop.is_set():
            try:
                worker.one_step()
                done[0] += 1
            except Unexpected as e:
                errors.append(str(e))

    try:
        worker = Caseworker(server.run, server.portal,
                            crash.set_up_caseworker(server.link, server.portal))
        worker.log_in()
        threads = [threading.Thread(target=applicant_loop) for _ in range(crash.APPLICANTS)]
        threads.append(threading.Thread(target=caseworker_loop, args=(worker,)))
        for t in threads:
            t.start()
        warm = min(10.0, seconds / 6)
        time.sleep(warm)
        # RSS each second. A login's hash holds argon2's 19 MiB area only while it
        # runs, so one reading may or may not catch one: what is compared is the
        # least of 5 readings at the start, at half time and at the end, with the
        # highest beside. The bounded caches (My Page's 4 MiB, SQLite's 2 MB for
        # each pooled connection) fill over the first minutes of a long run, so
        # what is judged is the growth over the second half, in MB a minute: a
        # leak keeps growing there. (In a run of a minute or two that half is too
        # short to judge; tests/bench/run.sh runs 10 minutes.)
        rss = [rss_mb(server.pid)]
        fds = [open_fds(server.pid)]
        largest_wal, end_at = wal_mb(server.data), time.monotonic() + seconds - warm
        while time.monotonic() < end_at and not errors:
            time.sleep(1)
            largest_wal = max(largest_wal, wal_mb(server.data))
            rss.append(rss_mb(server.pid))
        fds.append(open_fds(server.pid))
        half = len(rss) // 2
        start, end = (min(rss[:5]), fds[0]), (min(rss[-5:]), fds[-1])
        middle = min(rss[max(0, half - 2):half + 3])
        second_half_minutes = max(len(rss) - 1 - half, 1) / 60
        growth = (end[0] - middle) / second_half_minutes
        minutes = [min(rss[i:i + 60]) for i in range(0, len(rss), 60)]
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        stop.set()
        server.stop()
    for e in errors[:20]:
        print(f"soak: {e}")
    print(f"soak: {done[0]} steps in {seconds} s, deliberate answers: 429 {deliberate[429]}, "
          f"503 {deliberate[503]}; other errors {len(errors)}")
    print(f"soak: RSS {start[0]:.1f} MB after warm-up, {middle:.1f} MB at half time, "
          f"{end[0]:.1f} MB at the end (least of 5 s each), {max(rss):.1f} MB at most; "
          f"open fds {start[1]} then {end[1]}; largest WAL {largest_wal:.1f} MB")
    print("soak: least RSS in each minute after the warm-up (MB): " + " ".join(f"{m:.0f}" for m in minutes))
    print(f"soak {seconds} s: errors {len(errors)}, RSS {start[0]:.1f} -> {middle:.1f} -> "
          f"{end[0]:.1f} MB (at most {max(rss):.1f}; 2nd half {growth:+.2f} MB/min), "
          f"fds {start[1]} -> {end[1]}, WAL <= {largest_wal:.1f} MB")
    return not errors


def logins(kansli, count, seconds=10):
    """`count` people logging in at once for `seconds`, each in a browser that keeps
    its connection open. One turned away with a 503 tries again on it when the
    answer's Retry-After says, as the page asks; one who logged in leaves, and a new
    person takes their place. Every person from an address of their own: the
    per-address login limit is not what this measures. One thread and non-blocking
    sockets, so the times are the server's, not the client's. After a first round
    of 2 s, not counted."""
    server = Server(kansli)
    try:
        ana = person(server)
        port = server.portal.port
        # One login form (its token and cookie) for all: the hash is what is measured.
        page = crash.Client(server.run, server.portal)
        token = first_csrf(page.get("/login"))
        cookie = "; ".join(f"{k}={v}" for k, v in page.browser.cookies.items())
        body = urllib.parse.urlencode({"csrf": token, "email": ana.email,
                                       "password": crash.PASSWORD}).encode()
        request = (f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   f"Origin: {server.portal.base}\r\nCookie: {cookie}\r\n"
                   f"Content-Type: application/x-www-form-urlencoded\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        people = [0]

        def crowd(seconds):
            """One round: how many logged in before its end, the 503s' times, other answers."""
            selector = selectors.DefaultSelector()
            sent, answers, busy_ms, ok, others = {}, {}, [], 0, []
            reused = set()  # connections whose request followed an earlier answer on them
            waiting = []  # (when, n, who, connection): the people turned away, by when they try again

            def send(s):
                s.sendall(request)
                sent[s] = time.monotonic()

            def arrive():
                people[0] += 1
                connect(people[0])

            def connect(who):
                s = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(
                    f"127.3.{who // 250 % 250}.{who % 250 + 1}", 0))
                s.setblocking(False)
                selector.register(s, selectors.EVENT_READ, who)
                send(s)

            def close(s):
                selector.unregister(s)
                s.close()
                sent.pop(s, None)
                answers.pop(s, None)
                reused.discard(s)

            began = time.monotonic()
            deadline = began + seconds
            # They arrive one by one, the answers read in between: the times are the
            # server's, not this loop's while it opens connections.
            arriving = count
            while sent or waiting or arriving:
                if arriving:
                    arrive()
                    arriving -= 1
                now = time.monotonic()
                while waiting and waiting[0][0] <= now:
                    _, _, who, s = heapq.heappop(waiting)
                    if s.fileno() == -1:  # the server ended it while they waited
                        connect(who)
                    else:
                        reused.add(s)
                        send(s)
                events = selector.select(timeout=0 if arriving else 0.005)
                if not events and sent and now - min(sent.values()) > 60:
                    raise Unexpected(f"{len(sent)} logins unanswered after 60 s")
                for key, _ in events:
                    s, who = key.fileobj, key.data
                    try:
                        chunk = s.recv(65536)
                    except ConnectionResetError:
                        chunk = b""
                    data = answers[s] = answers.get(s, b"") + chunk
                    head, _, rest = data.partition(b"\r\n\r\n")
                    if chunk and (not _ or len(rest) < content_length(head)):
                        continue
                    now = time.monotonic()
                    if not chunk and s not in sent:
                        close(s)  # an idle connection ended by the server
                        continue
                    if not chunk:
                        if s in reused and not data:
                            # The server ended the idle connection as the request went
                            # out: a browser sends it again on a new one.
                            close(s)
                            connect(who)
                            continue
                        others.append("closed")
                        close(s)
                        continue
                    status = head.split(b" ", 2)[1].decode()
                    if status == "503":
                        busy_ms.append((now - sent[s]) * 1000)
                        retry = header(head, b"retry-after")
                        answers.pop(s)
                        del sent[s]
                        if not retry or not retry.isdigit():
                            others.append("503 without Retry-After")
                            close(s)
                        elif now < deadline:
                            heapq.heappush(waiting, (now + int(retry), s.fileno(), who, s))
                        else:
                            close(s)
                        continue
                    answers.pop(s)
                    del sent[s]
                    if status == "303":
                        # Counted until the deadline: after it nobody new comes, and
                        # the rate would be the retry schedule's, not the server's.
                        if now < deadline:
                            ok += 1
                            arrive()
                    else:
                        others.append(status)
                    close(s)
            return ok, busy_ms, others

        # A first round of 2 s, not counted, warms the server as it would be warm
        # when a crowd comes (wrk's rounds in tests/bench/run.sh begin so too).
        crowd(2)
        ok, busy_ms, others = crowd(seconds)
    finally:
        server.stop()
    busy_ms.sort()
    p99 = busy_ms[min(len(busy_ms) - 1, int(len(busy_ms) * 0.99))] if busy_ms else 0.0
    print(f"logins: {count} people for {seconds} s: {ok} logged in, {len(busy_ms)} answered "
          f"503 (median {statistics.median(busy_ms) if busy_ms else 0:.1f} ms), "
          f"{len(others)} other answers {sorted(set(others))}")
    print(f"logins {count} at once: 503 p99 {p99:.1f} ms; {ok / seconds:.1f} logins/s")
    return not others and ok > 0 and bool(busy_ms)


def header(head, name):
    """The value of the header `name` (lower case) in a response's head, or None."""
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip().decode()
    return None


def content_length(head):
    return int(header(head, b"content-length") or 0)


def writers(kansli, count):
    """`count` people saving their application page 1,000 times (SAVES_EACH) at once,
    through the portal's own write path: every save answered 303 (no SQLITE_BUSY
    reaches anyone)."""
    each = int(os.environ.get("SAVES_EACH", "1000"))
    server = Server(kansli)
    failed = []
    try:
        people = [person(server) for _ in range(count)]

        def saves(applicant):
            for n in range(each):
                try:
                    applicant.save("applicant", {
                        "family_name": f"Öberg <{n}>", "given_names": "Ana",
                        "date_of_birth": "1990-05-17", "citizenship": "UA",
                        "email": applicant.email}, "save")
                except Unexpected as e:
                    failed.append(str(e))

        began = time.monotonic()
        threads = [threading.Thread(target=saves, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - began
    finally:
        server.stop()
    for f in sorted(set(failed))[:10]:
        print(f"writers: {f}")
    print(f"writers {count} x {each} saves: {len(failed)} failed, "
          f"{count * each / took:.0f} saves/s")
    return not failed


def connections(kansli, count):
    server = Server(kansli)
    figures = []
    try:
        ana = person(server)
        cookie = "; ".join(f"{k}={v}" for k, v in ana.browser.cookies.items())
        port = server.portal.port
        for name, path, headers in (("login page", "/login", ""),
                                    ("My Page", "/account", f"Cookie: {cookie}\r\n")):
            request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n").encode()
            socks = []
            for i in range(count):
                s = socket.create_connection(("127.0.0.1", port), timeout=60)
                s.sendall(request)
                socks.append(s)
            for s in socks:
                answer = b""
                while b"\r\n\r\n" not in answer:
                    answer += s.recv(65536)
                if not answer.startswith(b"HTTP/1.1 200"):
                    raise Unexpected(f"{path} on an open connection: {answer[:40]!r}")
            # Every connection open and idle (keep-alive): the server's memory now.
            figures.append((name, rss_mb(server.pid), open_fds(server.pid)))
            for s in socks:
                s.close()
    finally:
        server.stop()
    print(f"connections {count} open: " + ", ".join(
        f"{name} RSS {rss:.1f} MB ({fds} fds)" for name, rss, fds in figures))
    return True


def main():
    kansli, what, n = os.path.abspath(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    cpus = os.environ.get("CLIENT_CPUS")
    if cpus:  # this load tool on cores apart from the server's (SERVER_CPUS, crash.Portal)
        os.sched_setaffinity(0, {int(c) for c in cpus.split(",")})
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * n + 256)), hard))
    checks = {"soak": soak, "logins": logins, "writers": writers, "connections": connections}
    sys.exit(0 if checks[what](kansli, n) else 1)


if __name__ == "__main__":
    main()
