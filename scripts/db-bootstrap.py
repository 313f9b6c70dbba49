"""Runs the database bootstrap SQL as a Microsoft Entra administrator of an Azure PostgreSQL flexible server.

Started by the DatabaseBootstrap step (components/database-bootstrap.ts) in a short-lived container inside the
stack's network, as the bootstrap identity; tested against a real PostgreSQL 15 (test/database-bootstrap.test.ts).
Python 3 standard library only: the container image brings python3 and nothing else this needs.

Environment:
  PGHOST, PGPORT (5432), PGUSER     the server and the administrator's role name (the identity's name)
  BOOTSTRAP_STEPS                  base64 of JSON [{"database": ..., "sql": ..., "retry": bool}], run in order
  AZURE_CLIENT_ID                  the identity whose token is the password (Entra: scope ossrdbms-aad)
  PGPASSWORD                       instead of a token (tests only)
  PGSSLROOTCERT                    a CA file instead of the system's (tests only)
  BOOTSTRAP_ATTEMPTS (10), BOOTSTRAP_RETRY_SECONDS (30)

Each step is one simple-protocol query, so PostgreSQL runs its statements as one transaction: a failing step
changes nothing. Exit 0 when every step succeeded, 1 otherwise, with the server's error (SQLSTATE and message).
"""
import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import sys
import time
import urllib.parse
import urllib.request

# Microsoft Learn, "Connect with managed identity to Azure Database for PostgreSQL": tokens for this resource.
TOKEN_RESOURCE = "https://ossrdbms-aad.database.windows.net"
IMDS = "http://169.254.169.254/metadata/identity/oauth2/token"
# SQLSTATE classes worth another attempt: connection, authentication (a new admin or identity not known yet),
# insufficient resources, operator intervention (the server restarting).
RETRY_CLASSES = ("08", "28", "53", "57")


class PgError(Exception):
    def __init__(self, fields):
        self.code = fields.get("C", "")
        super().__init__(f"{fields.get('S', 'ERROR')} {self.code}: {fields.get('M', '')}"
                         + (f"\nDETAIL: {fields['D']}" if "D" in fields else "")
                         + (f"\nHINT: {fields['H']}" if "H" in fields else ""))


def managed_identity_token():
    """A token for the client id's identity: the App Service/Container Apps endpoint if set, else IMDS (ACI, VMs)."""
    client_id = os.environ.get("AZURE_CLIENT_ID", "")
    if os.environ.get("IDENTITY_ENDPOINT") and os.environ.get("IDENTITY_HEADER"):
        query = {"api-version": "2019-08-01", "resource": TOKEN_RESOURCE, "client_id": client_id}
        url = os.environ["IDENTITY_ENDPOINT"] + "?" + urllib.parse.urlencode(query)
        headers = {"X-IDENTITY-HEADER": os.environ["IDENTITY_HEADER"]}
    else:
        query = {"api-version": "2018-02-01", "resource": TOKEN_RESOURCE, "client_id": client_id}
        url = os.environ.get("IMDS_ENDPOINT", IMDS) + "?" + urllib.parse.urlencode(query)
        headers = {"Metadata": "true"}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return json.load(response)["access_token"]


class Connection:
    def __init__(self, host, port, user, password, database, cafile=None):
        raw = socket.create_connection((host, port), timeout=60)
        # SSLRequest: Azure requires TLS (require_secure_transport); never fall back to plain text.
        raw.sendall(struct.pack("!ii", 8, 80877103))
        if raw.recv(1) != b"S":
            raw.close()
            raise ConnectionError("the server refused TLS")
        context = ssl.create_default_context(cafile=cafile)
        self.sock = context.wrap_socket(raw, server_hostname=host)
        params = {"user": user, "database": database, "application_name": "amplifier-db-bootstrap", "client_encoding": "UTF8"}
        body = struct.pack("!i", 196608) + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items()) + b"\0"
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        while True:
            kind, payload = self._read()
            if kind == b"R":
                code = struct.unpack("!i", payload[:4])[0]
                if code == 3:  # cleartext, over TLS: how Entra tokens are sent
                    self._send(b"p", password.encode() + b"\0")
                elif code == 5:
                    inner = hashlib.md5(password.encode() + user.encode()).hexdigest()
                    self._send(b"p", b"md5" + hashlib.md5(inner.encode() + payload[4:8]).hexdigest().encode() + b"\0")
                elif code != 0:
                    raise ConnectionError(f"unsupported authentication request {code}")
            elif kind == b"E":
                raise PgError(self._fields(payload))
            elif kind == b"Z":
                return

    def _send(self, kind, body):
        self.sock.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    def _recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the server closed the connection")
            data += chunk
        return data

    def _read(self):
        header = self._recv_exact(5)
        return header[:1], self._recv_exact(struct.unpack("!i", header[1:])[0] - 4)

    @staticmethod
    def _fields(payload):
        return {part[:1].decode(): part[1:].decode("utf-8", "replace") for part in payload.split(b"\0") if part}

    def run(self, sql):
        """One simple query (all its statements in one implicit transaction); raises the first error."""
        self._send(b"Q", sql.encode() + b"\0")
        error = None
        while True:
            kind, payload = self._read()
            if kind == b"E" and error is None:
                error = PgError(self._fields(payload))
            elif kind == b"N":
                fields = self._fields(payload)
                print(f"  {fields.get('S', 'NOTICE')}: {fields.get('M', '')}", flush=True)
            elif kind == b"Z":
                if error:
                    raise error
                return

    def close(self):
        try:
            self._send(b"X", b"")
        finally:
            self.sock.close()


def retryable(err, step):
    if isinstance(err, PgError):
        return err.code.startswith(RETRY_CLASSES) or step.get("retry", False)
    return isinstance(err, (OSError, ConnectionError))


def main():
    host, user = os.environ["PGHOST"], os.environ["PGUSER"]
    port = int(os.environ.get("PGPORT", "5432"))
    steps = json.loads(base64.b64decode(os.environ["BOOTSTRAP_STEPS"]))
    attempts = int(os.environ.get("BOOTSTRAP_ATTEMPTS", "10"))
    pause = float(os.environ.get("BOOTSTRAP_RETRY_SECONDS", "30"))
    for number, step in enumerate(steps, 1):
        for attempt in range(1, attempts + 1):
            print(f"step {number}/{len(steps)} in database {step['database']} as {user} (attempt {attempt})", flush=True)
            try:
                password = os.environ.get("PGPASSWORD") or managed_identity_token()
                connection = Connection(host, port, user, password, step["database"], os.environ.get("PGSSLROOTCERT"))
                try:
                    connection.run(step["sql"])
                finally:
                    connection.close()
                break
            except Exception as err:  # noqa: BLE001 - reported, retried or fatal below
                print(f"  failed: {err}", flush=True)
                if attempt == attempts or not retryable(err, step):
                    print(f"database bootstrap FAILED at step {number}: {err}", file=sys.stderr, flush=True)
                    return 1
                time.sleep(pause)
    print("database bootstrap succeeded", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
