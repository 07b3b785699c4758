#!/usr/bin/env python3
"""Kansli killed with SIGKILL in the middle of mixed writes, N times.

Several clients, each from its own loopback address, drive the portal's own forms:
account creation and its emailed code, application page saves, a passport photo
upload, approval, payment through the built-in mock acquirer, and a caseworker
moving submitted cases on. At a random moment the server gets SIGKILL; it is
started again on the same data directory, and then:

- every write whose response (303) arrived is in the database (an acknowledged
  write); a page saved again whose answer was cut off may hold either answer;
- `PRAGMA integrity_check` says ok;
- the outbox holds exactly one message per committed change of each person
  (sign-up code, application started, application submitted, case status changed):
  none lost with its change, none twice.

Standard library only. Prints `N cycles, A acknowledged writes, L lost` last;
exit status 0 when every check holds.

    python3 tests/crash/crash.py CYCLES KANSLI_BINARY
"""
import base64
import hashlib
import hmac
import html
import http.client
import os
import random
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "proxy"))
from run import Browser, free_port, wait_for  # noqa: E402  (the proxy test's helpers)

PASSWORD = "lingonberries under a violet moon"
STAFF_EMAIL = "caseworker@agency.example"
STAFF_PASSWORD = "a long staff passphrase for the desk"
APPLICANTS = 4
APPROVED_CARD = "4000 0082 6000 0000"
# A 1x1 PNG, as the browser test uploads.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC")
NEXT_STATUS = {"received": "in_progress", "in_progress": "approved", "approved": "closed"}
# Statuses that mean "try again": nothing was written.
BUSY = (429, 503)
# Connection errors of a request cut off by the kill: its write may or may not be there.
CUT_OFF = (OSError, http.client.HTTPException)


class Unexpected(Exception):
    """The portal answered something a person would not expect: a finding, not a cut."""


class Run:
    """What every client learned, shared between threads."""

    def __init__(self, data):
        self.data = data
        self.lock = threading.Lock()
        self.facts = []  # (kind, key, value): one per acknowledged write
        self.saves = {}  # draft reference -> [last acknowledged family name, later cut-off tries]
        self.emails = []  # every address a sign-up was sent for
        self.problems = []
        self.serial = 0
        self.cut_off = 0  # requests under way when the server was killed
        self.stop = threading.Event()

    def acked(self, kind, key, value=None):
        with self.lock:
            self.facts.append((kind, key, value))

    def next_serial(self):
        with self.lock:
            self.serial += 1
            return self.serial

    def db(self):
        return sqlite3.connect(f"file:{os.path.join(self.data, 'kansli.db')}?mode=ro", uri=True,
                               timeout=30)


def totp(secret, step):
    """RFC 6238 code (SHA-1, 6 digits) of a base32 secret at time step `step`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0xF
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def first_csrf(page):
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    if not found:
        raise Unexpected("no form on the page")
    return found.group(1)


def field_value(page, name):
    tag = re.search(r'<input[^>]*\bname="' + re.escape(name) + r'"[^>]*>', page)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def path_of(location):
    """The path and query of a Location, absolute (the mock acquirer's) or not."""
    url = urllib.parse.urlparse(location)
    return url.path + (f"?{url.query}" if url.query else "")


class Client:
    """One person's browser: a session cookie kept across restarts."""

    def __init__(self, run, portal):
        self.run, self.portal = run, portal
        serial = run.next_serial()
        # Each person from an address of their own: the sign-up limit is per address.
        self.source = f"127.1.{serial // 250}.{serial % 250 + 1}"
        self.browser = Browser(self.source, portal.port, portal.base)

    def send(self, method, path, fields=None, multipart=None, want=303):
        """The answer once it is not a "busy, try again"; `want` or Unexpected."""
        while True:
            status, headers, text = self.browser.request(method, path, fields, multipart=multipart)
            if status not in BUSY or want in BUSY:
                break
            time.sleep(0.2)
        if status != want:
            raise Unexpected(f"{method} {path}: {status} (wanted {want})")
        return headers, text

    def get(self, path):
        return self.send("GET", path, want=200)[1]

    def post(self, page, action, fields):
        token = first_csrf(self.get(page))
        headers, _ = self.send("POST", action, dict(fields, csrf=token))
        return path_of(headers["location"])


class Applicant(Client):
    """Signs up, fills in a visit-visa application, uploads, approves and pays."""

    def __init__(self, run, portal):
        super().__init__(run, portal)
        self.email = f"ana.{self.run.next_serial()}+crash@example.se"
        self.step, self.reference, self.saves = "create", None, 0

    def page(self, name):
        return f"/applications/{self.reference}/pages/{name}"

    def save(self, name, fields, action):
        page = self.get(self.page(name))
        all_fields = dict(fields, csrf=first_csrf(page), revision=field_value(page, "revision"),
                          action=action)
        self.send("POST", self.page(name), all_fields)

    def one_step(self):
        """Takes the next step of this person's way through the portal."""
        r = self.run
        if self.step == "create":
            with r.lock:
                r.emails.append(self.email)
            self.post("/account/create", "/account/create", {
                "email": self.email, "password": PASSWORD, "password_repeat": PASSWORD})
            r.acked("account", self.email)
            self.step = "confirm"
        elif self.step == "confirm":
            with r.db() as db:
                body = db.execute("SELECT body_text FROM outbox WHERE recipient = ? "
                                  "ORDER BY id DESC LIMIT 1", (self.email,)).fetchone()
            code = body and re.search(r"\b(\d{6})\b", body[0])
            if not code:
                raise Unexpected(f"no code for {self.email} in the outbox")
            self.post("/account/confirm", "/account/confirm", {"code": code.group(1)})
            r.acked("confirmed", self.email)
            self.step = "draft"
        elif self.step == "draft":
            location = self.post("/applications/new", "/applications/new", {"form": "visit-visa"})
            self.reference = location.split("/")[2]
            r.acked("draft", self.reference, self.email)
            self.saves, self.step = random.randint(1, 3), "save"
        elif self.step == "save":
            name = f"Öberg <{r.next_serial()}> & \"'"
            with r.lock:
                r.saves.setdefault(self.reference, [None]).append(name)
            self.save("applicant", {
                "family_name": name, "given_names": "Ana", "date_of_birth": "1990-05-17",
                "citizenship": "UA", "email": self.email}, "next" if self.saves <= 1 else "save")
            with r.lock:
                r.saves[self.reference] = [name]
            r.acked("saved", self.reference)
            self.saves -= 1
            if self.saves <= 0:
                self.step = "upload"
        elif self.step == "upload":
            self.upload()
            r.acked("document", self.reference)
            self.step = "passport"
        elif self.step == "passport":
            self.save("passport", {"passport_number": "AB1234567",
                                   "passport_expiry": "2030-01-01"}, "next")
            r.acked("answer", (self.reference, "passport_number"), "AB1234567")
            self.step = "travel"
        elif self.step == "travel":
            self.save("travel", {"purpose": "family_visit", "arrival": "2027-01-10",
                                 "departure": "2027-01-20", "visited_before": "no"}, "next")
            r.acked("answer", (self.reference, "arrival"), "2027-01-10")
            self.step = "stay"
        elif self.step == "stay":
            self.save("stay", {"host_name": "Erik", "accommodation": "Storgatan 1, Malmö",
                               "funding": "host"}, "next")
            r.acked("answer", (self.reference, "accommodation"), "Storgatan 1, Malmö")
            self.step = "approve"
        elif self.step == "approve":
            review = self.get(f"/applications/{self.reference}/review")
            self.send("POST", f"/applications/{self.reference}/approve", {
                "csrf": first_csrf(review), "revision": field_value(review, "revision"),
                "confirm": "yes"})
            r.acked("approved", self.reference)
            self.step = "pay"
        elif self.step == "pay":
            # Pressing "Pay" and the card form are one step: cut off, this person stops.
            approved = f"/applications/{self.reference}/approved"
            card_page = self.post(approved, f"/applications/{self.reference}/pay", {})
            back = self.post(card_page, card_page, {"number": APPROVED_CARD, "expiry": "12/29",
                                                    "cvc": "123", "name": "Ana Öberg"})
            r.acked("acquirer", card_page.rsplit("/", 1)[-1])
            self.step = "return"
            headers, _ = self.send("GET", back)
            if not path_of(headers["location"]).endswith("/submitted"):
                raise Unexpected(f"paid, then sent to {headers['location']}")
            r.acked("case", self.reference)
            # Another application of this person, or a new person in a new browser.
            if random.random() < 0.5:
                self.step = "draft"
            else:
                Applicant.__init__(self, r, self.portal)

    def upload(self):
        page = self.get(self.page("passport"))
        button = re.search(r'<button[^>]*name="upload"[^>]*>', page)
        action = button and re.search(r'formaction="([^"]+)"', button.group(0))
        if not action:
            raise Unexpected("no upload button on the passport page")
        boundary = f"crash{random.getrandbits(64):x}"
        parts = []
        for name, value in (("csrf", first_csrf(page)), ("revision", field_value(page, "revision")),
                            ("upload", "passport_photo_page")):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                         f"{value}\r\n".encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="passport_photo_page"; '
                     f'filename="passport.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
                     + PNG + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        self.send("POST", html.unescape(action.group(1)),
                  multipart=(b"".join(parts), f"multipart/form-data; boundary={boundary}"))

    def cut_off(self):
        """The server died under this step: steps that are safe to take again are
        taken again after the restart; after the others this person stops."""
        return self.step in ("draft", "save", "upload", "passport", "travel", "stay")


class Caseworker(Client):
    """Moves submitted cases on, one status at a time."""

    def __init__(self, run, portal, secret):
        super().__init__(run, portal)
        self.secret = secret

    def log_in(self):
        step = int(time.time()) // 30
        self.post("/staff/login", "/staff/login", {
            "email": STAFF_EMAIL, "password": STAFF_PASSWORD, "code": totp(self.secret, step + 1)})

    def one_step(self):
        with self.run.db() as db:
            case = db.execute("SELECT verification, status FROM cases WHERE status IN "
                              "('received', 'in_progress', 'approved') ORDER BY random() LIMIT 1"
                              ).fetchone()
        if not case:
            time.sleep(0.1)
            return
        verification, status = case
        to = NEXT_STATUS[status]
        self.post(f"/staff/cases/{verification}", f"/staff/cases/{verification}/status",
                  {"to": to, "message": ""})
        self.run.acked("status", verification, to)

    def cut_off(self):
        return True


def add_caseworker(kansli, env):
    """`kansli staff add` (before the server runs: it makes the database); the setup link."""
    out = subprocess.run([kansli, "staff", "add", STAFF_EMAIL, "--role", "caseworker"], env=env,
                         capture_output=True, text=True, check=True).stdout
    return path_of(re.search(r"https?://\S+/staff/setup\?token=\S+", out).group(0))


def set_up_caseworker(link, portal):
    """The setup link followed as the person would; the authenticator secret."""
    browser = Client(portal.run, portal)
    page = browser.get(link)
    secret = re.sub(r"\s", "", html.unescape(re.search(r'<code class="secret">([^<]+)<', page)
                                             .group(1)))
    browser.post(link, link, {"password": STAFF_PASSWORD, "password_repeat": STAFF_PASSWORD,
                              "code": totp(secret, int(time.time()) // 30)})
    return secret


class Portal:
    """Kansli serving the data directory on a fixed port (so the base URL holds)."""

    def __init__(self, run, kansli, env, port):
        self.run, self.port, self.base = run, port, f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile("w+")
        # SERVER_CPUS (e.g. 0): the server on cores of its own, for benchmarks.
        cpus = os.environ.get("SERVER_CPUS")
        pinned = ["taskset", "-c", cpus] if cpus else []
        self.proc = subprocess.Popen(pinned + [kansli, "serve"], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        wait_for(port, self.proc, kansli)

    def said(self):
        self.log.seek(0)
        return self.log.read()


def drive(client, run):
    """Steps until the kill; whether the client may go on after the restart."""
    try:
        while not run.stop.is_set():
            client.one_step()
    except CUT_OFF:
        if not run.stop.is_set():
            run.problems.append(f"{type(client).__name__} cut off before the kill")
        with run.lock:
            run.cut_off += 1
        return client.cut_off()
    except Unexpected as e:
        if not run.stop.is_set():
            run.problems.append(str(e))
        return False
    return True


def check(run):
    """The lost acknowledged writes, and the other failed checks, as text."""
    lost, failed = [], []
    with run.db() as db:
        verdict = db.execute("PRAGMA integrity_check").fetchall()
        if verdict != [("ok",)]:
            failed.append(f"integrity_check: {verdict}")
        one = lambda sql, *args: db.execute(sql, args).fetchone()  # noqa: E731
        for kind, key, value in run.facts:
            if kind == "account":
                ok = one("SELECT 1 FROM accounts WHERE email = ?", key)
            elif kind == "confirmed":
                ok = one("SELECT 1 FROM accounts WHERE email = ? AND confirmed_at IS NOT NULL", key)
            elif kind == "draft":
                ok = one("SELECT 1 FROM drafts d JOIN accounts a ON a.id = d.account_id "
                         "WHERE d.reference = ? AND a.email = ?", key, value)
            elif kind == "saved":
                got = one("SELECT value FROM draft_answers a JOIN drafts d ON d.id = a.draft_id "
                          "WHERE d.reference = ? AND a.field_id = 'family_name'", key)
                ok = got and got[0] in run.saves[key]
            elif kind == "document":
                ok = one("SELECT 1 FROM documents o JOIN drafts d ON d.id = o.draft_id "
                         "WHERE d.reference = ? AND o.field_id = 'passport_photo_page'", key)
            elif kind == "answer":
                ok = one("SELECT 1 FROM draft_answers a JOIN drafts d ON d.id = a.draft_id "
                         "WHERE d.reference = ? AND a.field_id = ? AND a.value = ?", *key, value)
            elif kind == "approved":
                ok = one("SELECT 1 FROM drafts WHERE reference = ? AND approved_at IS NOT NULL", key)
            elif kind == "acquirer":
                ok = one("SELECT 1 FROM mock_acquirer_payments WHERE id = ? AND state = 'success'",
                         key)
            elif kind == "case":
                ok = one("SELECT 1 FROM cases c JOIN drafts d ON d.id = c.draft_id "
                         "JOIN payments p ON p.id = c.payment_id "
                         "WHERE d.reference = ? AND p.state = 'success'", key)
            elif kind == "status":
                ok = one("SELECT 1 FROM case_events e JOIN cases c ON c.id = e.case_id "
                         "WHERE c.verification = ? AND e.status = ?", key, value)
            if not ok:
                lost.append(f"{kind} {key} {value or ''}".strip())
        # One message per committed change of each person, no more, no fewer.
        changes = {}
        for sql in ("SELECT email FROM accounts",
                    "SELECT a.email FROM drafts d JOIN accounts a ON a.id = d.account_id",
                    "SELECT a.email FROM cases c JOIN accounts a ON a.id = c.account_id",
                    "SELECT a.email FROM case_events e JOIN cases c ON c.id = e.case_id"
                    " JOIN accounts a ON a.id = c.account_id WHERE e.status <> 'received'"):
            for (email,) in db.execute(sql):
                changes[email] = changes.get(email, 0) + 1
        messages = dict(db.execute("SELECT recipient, count(*) FROM outbox GROUP BY recipient"))
        for email in run.emails:
            if messages.get(email, 0) != changes.get(email, 0):
                failed.append(f"outbox: {messages.get(email, 0)} messages to {email} "
                              f"for {changes.get(email, 0)} changes")
    return lost, failed


def main():
    cycles, kansli = int(sys.argv[1]), os.path.abspath(sys.argv[2])
    began = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="kansli-crash-")
    data = os.path.join(tmp, "data")
    os.mkdir(data, 0o700)
    port = free_port()
    env = dict(os.environ, KANSLI_LISTEN=f"127.0.0.1:{port}", KANSLI_DATA_DIR=data,
               KANSLI_BASE_URL=f"http://127.0.0.1:{port}", KANSLI_LOG="warn")
    env.pop("KANSLI_CONFIG", None)
    run = Run(data)
    link = add_caseworker(kansli, env)
    portal = Portal(run, kansli, env, port)
    failures, lost_all = [], set()
    try:
        secret = set_up_caseworker(link, portal)
        applicants = [Applicant(run, portal) for _ in range(APPLICANTS)]
        caseworker = Caseworker(run, portal, secret)
        caseworker.log_in()
        for cycle in range(cycles):
            run.stop.clear()
            clients = applicants + ([caseworker] if caseworker else [])
            results = [None] * len(clients)

            def go(i):
                results[i] = drive(clients[i], run)

            threads = [threading.Thread(target=go, args=(i,)) for i in range(len(clients))]
            for t in threads:
                t.start()
            time.sleep(random.uniform(0.5, 4.0))
            run.stop.set()
            portal.proc.send_signal(signal.SIGKILL)
            portal.proc.wait()
            for t in threads:
                t.join(timeout=60)
            if any(t.is_alive() for t in threads):
                sys.exit("a client did not notice the kill within 60 s")
            # Who goes on: those cut off in a step safe to take again; the others
            # give way to new people (a caseworker keeps the session it logged in).
            applicants = [c if ok else Applicant(run, portal)
                          for c, ok in zip(applicants, results[:len(applicants)])]
            portal = Portal(run, kansli, env, port)
            status, _, _ = Browser("127.0.0.1", port, portal.base).request("GET", "/health/ready")
            if status != 200:
                failures.append(f"cycle {cycle + 1}: /health/ready answered {status} after restart")
            lost, failed = check(run)
            failures += [f"cycle {cycle + 1}: lost {w}" for w in lost if w not in lost_all]
            lost_all.update(lost)
            failures += [f"cycle {cycle + 1}: {f}" for f in failed]
            print(f"crash: cycle {cycle + 1}: {len(run.facts)} acknowledged writes so far, "
                  f"{len(lost)} lost, {len(failed)} other failures", flush=True)
    finally:
        if portal.proc.poll() is None:
            portal.proc.send_signal(signal.SIGTERM)
            try:
                portal.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                portal.proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    for line in failures + run.problems:
        print(f"crash: {line}")
    kinds = {}
    for kind, _, _ in run.facts:
        kinds[kind] = kinds.get(kind, 0) + 1
    print("crash: acknowledged, by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.items())
          + f"; {run.cut_off} requests cut off by the kills ({time.monotonic() - began:.0f} s)")
    print(f"{cycles} cycles, {len(run.facts)} acknowledged writes, {len(lost_all)} lost")
    sys.exit(1 if failures or run.problems else 0)


if __name__ == "__main__":
    main()
