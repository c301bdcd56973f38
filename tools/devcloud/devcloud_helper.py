#!/usr/bin/python3
"""Helper for tools/devcloud/devcloud: the parts easier in Python than in bash.

Standard library only; run with Debian's /usr/bin/python3.  Reads its settings
from the environment that the devcloud script exports:

  DEVCLOUD_STATE         state directory (holds secrets.env)
  DEVCLOUD_KEYSTONE_URL  e.g. http://127.0.0.1:5000/v3
  DEVCLOUD_NOVA_URL      e.g. http://127.0.0.1:8774/v2.1
  DEVCLOUD_KEYPAIR_QUOTA e.g. 2000

Sub-commands:
  wal DB...              PRAGMA journal_mode=WAL on each sqlite file
  has-cell API_DB NAME   exit 0 when the cell mapping NAME exists
  keystone-setup         get-or-create projects, users, roles, service, endpoints
  nova-setup             check admin can list keypairs; make the keypair quota stick
  selftest [N]           as demo: import N keypairs (default 101), then delete them

Passwords are never printed.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REGION = "RegionOne"
DOMAIN = "default"


def log(msg):
    print("devcloud: " + msg, file=sys.stderr, flush=True)


def fail(msg):
    log("error: " + msg)
    sys.exit(1)


def env(name):
    value = os.environ.get(name)
    if not value:
        fail("%s is not set (run this through tools/devcloud/devcloud)" % name)
    return value


def secrets():
    """KEY=value lines written by devcloud (mode 600)."""
    path = os.path.join(env("DEVCLOUD_STATE"), "secrets.env")
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    return values


class HTTPError(Exception):
    def __init__(self, method, url, status, body):
        super().__init__("%s %s -> %s: %s" % (method, url, status, body[:500]))
        self.status = status


def call(method, url, body=None, token=None, headers=None, expect=(200, 201, 202, 204)):
    """One HTTP request; returns (status, headers, parsed JSON or None).

    uwsgi answers with 'Connection: close' (FACTS.md gotcha 2), and
    urllib opens a fresh connection per request anyway.
    """
    data = None
    hdrs = {"Accept": "application/json"}
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if token:
        hdrs["X-Auth-Token"] = token
    hdrs.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, rhdrs, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        status, rhdrs, raw = e.code, e.headers, e.read()
    if status not in expect:
        raise HTTPError(method, url, status, raw.decode(errors="replace"))
    parsed = json.loads(raw) if raw.strip() else None
    return status, rhdrs, parsed


def token_for(user, password, project):
    """Keystone v3 password auth scoped to a project in the Default domain."""
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"id": DOMAIN}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": DOMAIN}}}}}
    _, hdrs, data = call("POST", env("DEVCLOUD_KEYSTONE_URL") + "/auth/tokens", body,
                         expect=(201,))
    return hdrs["X-Subject-Token"], data["token"]


# --------------------------------------------------------------------------
# sqlite


def cmd_wal(paths):
    # FACTS.md gotcha 1: an idle worker keeps a shared lock and another
    # one gets "database is locked" (HTTP 500) after 5 s.  WAL mode fixes it and
    # is persistent in the database file.
    for path in paths:
        con = sqlite3.connect(path)
        try:
            mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        finally:
            con.close()
        if mode.lower() != "wal":
            fail("could not switch %s to WAL (got %s)" % (path, mode))


def cmd_has_cell(api_db, name):
    # 'nova-manage cell_v2 create_cell' is not idempotent (exit 2 when the cell
    # exists), so devcloud asks the API database first.
    con = sqlite3.connect(api_db)
    try:
        row = con.execute("SELECT count(*) FROM cell_mappings WHERE name = ?",
                          (name,)).fetchone()
    finally:
        con.close()
    sys.exit(0 if row[0] else 1)


# --------------------------------------------------------------------------
# Keystone


class Keystone:
    def __init__(self, token):
        self.url = env("DEVCLOUD_KEYSTONE_URL")
        self.token = token

    def get(self, path):
        return call("GET", self.url + path, token=self.token)[2]

    def post(self, path, body):
        return call("POST", self.url + path, body, token=self.token)[2]

    def patch(self, path, body):
        return call("PATCH", self.url + path, body, token=self.token)[2]

    def put(self, path):
        call("PUT", self.url + path, token=self.token)

    def find(self, collection, **query):
        qs = "&".join("%s=%s" % kv for kv in sorted(query.items()))
        items = self.get("/%s?%s" % (collection, qs))[collection]
        return items[0] if items else None

    def project(self, name, description):
        found = self.find("projects", name=name, domain_id=DOMAIN)
        if found:
            return found
        log("keystone: creating project %s" % name)
        return self.post("/projects", {"project": {
            "name": name, "domain_id": DOMAIN, "description": description,
            "enabled": True}})["project"]

    def user(self, name, password, project):
        found = self.find("users", name=name, domain_id=DOMAIN)
        if found:
            return found
        log("keystone: creating user %s" % name)
        return self.post("/users", {"user": {
            "name": name, "domain_id": DOMAIN, "password": password,
            "default_project_id": project["id"], "enabled": True}})["user"]

    def grant(self, project, user, role_name):
        role = self.find("roles", name=role_name)
        if not role:
            fail("keystone: role %s does not exist (bootstrap creates it)" % role_name)
        # PUT on a role assignment is idempotent (204 when it already exists).
        self.put("/projects/%s/users/%s/roles/%s" % (project["id"], user["id"], role["id"]))

    def service(self, name, type_, description):
        for svc in self.get("/services?type=%s" % type_)["services"]:
            if svc.get("name") == name:
                return svc
        log("keystone: creating service %s (%s)" % (name, type_))
        return self.post("/services", {"service": {
            "name": name, "type": type_, "description": description,
            "enabled": True}})["service"]

    def endpoints(self, service, url, interfaces):
        """One endpoint per interface in RegionOne with this URL (fixed up if a
        port override changed it)."""
        existing = self.get("/endpoints?service_id=%s" % service["id"])["endpoints"]
        for interface in interfaces:
            mine = [e for e in existing
                    if e["interface"] == interface and e.get("region_id") == REGION]
            if not mine:
                log("keystone: creating %s endpoint %s" % (interface, url))
                self.post("/endpoints", {"endpoint": {
                    "service_id": service["id"], "interface": interface,
                    "url": url, "region_id": REGION, "enabled": True}})
            elif mine[0]["url"] != url:
                log("keystone: updating %s endpoint %s -> %s"
                    % (interface, mine[0]["url"], url))
                self.patch("/endpoints/%s" % mine[0]["id"], {"endpoint": {"url": url}})


def cmd_keystone_setup():
    s = secrets()
    token, _ = token_for("admin", s["ADMIN_PASSWORD"], "admin")
    ks = Keystone(token)

    # Identity endpoints come from 'keystone-manage bootstrap'; only fix the URL
    # here when NOVA_DEVCLOUD_KEYSTONE_PORT changed since.
    identity = ks.service("keystone", "identity", "Keystone Identity Service")
    ks.endpoints(identity, env("DEVCLOUD_KEYSTONE_URL"), ("public", "internal", "admin"))

    # The nova service user, for Nova's keystone_authtoken middleware.
    service = ks.project("service", "Service project")
    nova = ks.user("nova", s["NOVA_PASSWORD"], service)
    ks.grant(service, nova, "admin")

    compute = ks.service("nova", "compute", "OpenStack Compute")
    ks.endpoints(compute, env("DEVCLOUD_NOVA_URL"), ("public", "internal"))

    # A non-admin user for multi-user tests.
    demo_project = ks.project("demo", "Non-admin test project")
    demo = ks.user("demo", s["DEMO_PASSWORD"], demo_project)
    ks.grant(demo_project, demo, "member")

    # Prove the passwords in secrets.env are the ones Keystone holds.
    token_for("nova", s["NOVA_PASSWORD"], "service")
    token_for("demo", s["DEMO_PASSWORD"], "demo")


# --------------------------------------------------------------------------
# Nova


def cmd_nova_setup():
    s = secrets()
    nova = env("DEVCLOUD_NOVA_URL")
    want = int(env("DEVCLOUD_KEYPAIR_QUOTA"))

    admin, _ = token_for("admin", s["ADMIN_PASSWORD"], "admin")
    # An authenticated call through keystonemiddleware (uses the nova service
    # user) and Nova's API database.
    call("GET", nova + "/os-keypairs", token=admin)

    # [quota] key_pairs in nova.conf is only the fallback: a row for quota
    # class 'default' in the API database (quota_classes) wins over it.  A fresh
    # Zed API database has no such row, so nova.conf alone normally works; if a
    # row exists with another value (e.g. set by an earlier run with another
    # NOVA_DEVCLOUD_KEYPAIR_QUOTA), set it through the API.
    qcs = call("GET", nova + "/os-quota-class-sets/default", token=admin)[2]
    current = qcs["quota_class_set"]["key_pairs"]
    if current != want:
        log("nova: default quota class has key_pairs=%s, setting %s" % (current, want))
        call("PUT", nova + "/os-quota-class-sets/default",
             {"quota_class_set": {"key_pairs": want}}, token=admin)

    # Verify what a non-admin user actually gets.
    demo, _ = token_for("demo", s["DEMO_PASSWORD"], "demo")
    limits = call("GET", nova + "/limits", token=demo)[2]
    got = limits["limits"]["absolute"]["maxTotalKeypairs"]
    if got != want:
        fail("nova: demo's keypair quota is %s, expected %s" % (got, want))
    log("nova: keypair quota %s (checked as demo via GET /limits)" % got)


def cmd_selftest(count):
    """Import COUNT keypairs as demo (more than Nova's default quota of 100)."""
    s = secrets()
    nova = env("DEVCLOUD_NOVA_URL")
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "id")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                        "devcloud-selftest", "-f", key], check=True)
        with open(key + ".pub") as f:
            public_key = f.read()
    demo, _ = token_for("demo", s["DEMO_PASSWORD"], "demo")
    mv = {"OpenStack-API-Version": "compute 2.2"}
    names = ["devcloud-selftest-%03d" % i for i in range(1, count + 1)]
    started = time.monotonic()
    created = []
    try:
        for name in names:
            call("POST", nova + "/os-keypairs",
                 {"keypair": {"name": name, "public_key": public_key}},
                 token=demo, headers=mv, expect=(201,))
            created.append(name)
        listed = call("GET", nova + "/os-keypairs", token=demo, headers=mv)[2]
        mine = [k for k in listed["keypairs"]
                if k["keypair"]["name"].startswith("devcloud-selftest-")]
        log("selftest: demo imported %d keypairs in %.1fs; list shows %d"
            % (len(created), time.monotonic() - started, len(mine)))
        if len(mine) != count:
            fail("selftest: expected %d keypairs in the list" % count)
    finally:
        for name in created:
            call("DELETE", nova + "/os-keypairs/" + name, token=demo, headers=mv,
                 expect=(204,))
        if created:
            log("selftest: deleted %d keypairs" % len(created))


def main(argv):
    if not argv:
        fail("usage: devcloud_helper.py wal|has-cell|keystone-setup|nova-setup|selftest")
    cmd, args = argv[0], argv[1:]
    try:
        if cmd == "wal":
            cmd_wal(args)
        elif cmd == "has-cell":
            cmd_has_cell(*args)
        elif cmd == "keystone-setup":
            cmd_keystone_setup()
        elif cmd == "nova-setup":
            cmd_nova_setup()
        elif cmd == "selftest":
            cmd_selftest(int(args[0]) if args else 101)
        else:
            fail("unknown helper command %s" % cmd)
    except (HTTPError, urllib.error.URLError, OSError) as e:
        fail(str(e))


if __name__ == "__main__":
    main(sys.argv[1:])
