#!/usr/bin/env python3
"""Kansli behind a real nginx (Debian's package) on loopback, configured with the
server block of systemd/nginx-kansli.conf, the file README shows.

Clients connect from different loopback addresses (127.0.0.2, 127.0.0.3, ...) and
the script checks that: one client exceeding the login limit does not limit
another; a forged X-Forwarded-For sent straight to Kansli (not through the trusted
proxy) is ignored; the audit log and the BankID simulator see each client's own
address. Standard library only. Exit status 0 when every check holds.

    KANSLI_BIN=target/debug/kansli python3 tests/proxy/run.py
"""
import http.client
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOGIN_LIMIT = 30  # IP_LIMIT_LOGIN in src/domain/rules.rs


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, what):
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not listen on {port}")


def first_server_block(conf, kansli_port, nginx_port):
    """The first `server { ... }` of the file, listening on loopback without TLS."""
    start = conf.index("server {")
    depth, end = 0, start
    for i in range(start, len(conf)):
        if conf[i] == "{":
            depth += 1
        elif conf[i] == "}":
            depth -= 1
            if depth == 0:
                end = i + 1
                break
    kept = []
    for line in conf[start:end].splitlines():
        words = line.split()
        if words and words[0] in ("listen", "http2", "ssl_certificate", "ssl_certificate_key"):
            continue
        kept.append(line)
    kept.insert(1, f"    listen 127.0.0.1:{nginx_port};")
    block = "\n".join(kept)
    assert "127.0.0.1:8080" in block, "the proxy_pass README shows"
    return block.replace("127.0.0.1:8080", f"127.0.0.1:{kansli_port}")


class Browser:
    """A client on one loopback address, keeping cookies, never following redirects."""

    def __init__(self, source, port, origin):
        self.source, self.port, self.origin, self.cookies = source, port, origin, {}

    def request(self, method, path, fields=None, headers=None, multipart=None):
        """`multipart`: (body, content type) of a form sent as multipart/form-data."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10,
                                          source_address=(self.source, 0))
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Origin"] = self.origin
        if multipart is not None:
            body, all_headers["Content-Type"] = multipart
            all_headers["Origin"] = self.origin
        conn.request(method, path, body=body, headers=all_headers)
        res = conn.getresponse()
        text = res.read().decode("utf-8", "replace")
        for header, value in res.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return res.status, dict((k.lower(), v) for k, v in res.getheaders()), text

    def csrf(self, page, action):
        _, _, html = self.request("GET", page)
        form = re.search(r'<form[^>]*action="' + re.escape(action) + r'".*?</form>', html, re.S)
        assert form, f"no form posting to {action} on {page}"
        return re.search(r'name="csrf" value="([^"]+)"', form.group(0)).group(1)

    def failed_login(self, headers=None):
        token = self.csrf("/login", "/login")
        fields = {"csrf": token, "email": "nobody@example.se", "password": "not the password"}
        return self.request("POST", "/login", fields, headers)[0]


def main():
    binary = os.environ.get("KANSLI_BIN", os.path.join(ROOT, "target", "debug", "kansli"))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    tmp = tempfile.mkdtemp(prefix="kansli-proxy-")
    kansli_port, nginx_port = free_port(), free_port()
    base = f"http://127.0.0.1:{nginx_port}"
    env = dict(os.environ,
               KANSLI_LISTEN=f"127.0.0.1:{kansli_port}",
               KANSLI_DATA_DIR=os.path.join(tmp, "data"),
               KANSLI_BASE_URL=base,
               KANSLI_TRUSTED_PROXIES="127.0.0.1",
               KANSLI_LOG="warn")
    kansli = subprocess.Popen([binary], env=env, cwd=tmp)
    procs = [kansli]
    try:
        wait_for(kansli_port, kansli, "kansli")
        with open(os.path.join(ROOT, "systemd", "nginx-kansli.conf")) as f:
            conf = f.read()
        with open(os.path.join(ROOT, "README.md")) as f:
            shown = conf[conf.index("server {"):conf.index("\nserver {", conf.index("server {") + 1)]
            assert shown.rstrip() in f.read(), "README shows systemd/nginx-kansli.conf as it is"
        site = first_server_block(conf, kansli_port, nginx_port)
        with open(os.path.join(tmp, "site.conf"), "w") as f:
            f.write(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = " ".join(f"{k}_temp_path {tmp}/{k};" for k in
                        ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        with open(os.path.join(tmp, "nginx.conf"), "w") as f:
            f.write(f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\n"
                    f"error_log {tmp}/nginx-error.log warn;\nevents {{ worker_connections 64; }}\n"
                    f"http {{\n  access_log off;\n  {temp}\n  include {tmp}/site.conf;\n}}\n")
        proxy = subprocess.Popen([nginx, "-p", tmp, "-c", os.path.join(tmp, "nginx.conf"),
                                  "-g", "daemon off;"])
        procs.append(proxy)
        wait_for(nginx_port, proxy, "nginx")

        # One client through the proxy uses up its login limit ...
        anna = Browser("127.0.0.2", nginx_port, base)
        for i in range(LOGIN_LIMIT):
            status = anna.failed_login()
            assert status == 422, f"login {i + 1} through nginx: {status}"
        # ... even when it forges an address in front of its own.
        status = anna.failed_login({"X-Forwarded-For": "198.51.100.77"})
        assert status == 429, f"the 31st login from 127.0.0.2: {status}"
        # Another client through the same proxy is not limited.
        bo = Browser("127.0.0.3", nginx_port, base)
        assert bo.failed_login() == 422, "127.0.0.3 shares nothing with 127.0.0.2"

        # Straight to Kansli, not through the trusted proxy: a forged header counts for nothing.
        direct_origin = f"http://127.0.0.1:{kansli_port}"
        eve = Browser("127.0.0.4", kansli_port, direct_origin)
        for i in range(LOGIN_LIMIT):
            status = eve.failed_login({"X-Forwarded-For": f"203.0.113.{i}"})
            assert status == 422, f"direct login {i + 1}: {status}"
        status = eve.failed_login({"X-Forwarded-For": "203.0.113.250"})
        assert status == 429, f"forged headers did not reset the limit: {status}"

        # BankID through the proxy: the simulator is told the client's address.
        cy = Browser("127.0.0.5", nginx_port, base)
        token = cy.csrf("/login", "/login/eid/start")
        status, headers, _ = cy.request("POST", "/login/eid/start",
                                        {"csrf": token, "method": "bankid"})
        assert status == 303, f"BankID start: {status}"
        _, _, order_page = cy.request("GET", "/login/eid")
        start = re.search(r"autostarttoken=([0-9a-f-]+)", order_page).group(1)
        app = Browser("127.0.0.6", nginx_port, base)
        token = app.csrf("/sim/bankid/app", "/sim/bankid/app")
        _, _, opened = app.request("POST", "/sim/bankid/app", {"csrf": token, "code": start})
        shown = re.search(r'class="end-user-ip">([^<]*)<', opened)
        assert shown and "127.0.0.5" in shown.group(1), f"endUserIp: {shown and shown.group(1)}"

        # The audit log names each client, never the proxy.
        db = sqlite3.connect(os.path.join(tmp, "data", "kansli.db"))
        ips = {row[0] for row in db.execute(
            "SELECT ip FROM audit_log WHERE action = 'applicant_login_failed'")}
        db.close()
        assert ips == {"127.0.0.2", "127.0.0.3", "127.0.0.4"}, f"audit log addresses: {ips}"
        print("proxy: 7 checks passed (per-client limits behind nginx, forged headers "
              "ignored, audit log and endUserIp see the client)")
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
