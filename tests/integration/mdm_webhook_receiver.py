#!/usr/bin/env python3
"""A webhook MDM for the response integration test: HTTPS, checks the
Wardline signature (X-Wardline-Signature over "timestamp.body"), de-duplicates
on Idempotency-Key as the contract asks, and appends every command it carries
out to a JSON-lines log. Creating the file FAIL_NEXT makes the next request
execute and then answer 500, as a server that crashed before answering."""
import hashlib, hmac, http.server, json, os, ssl, sys, time

port_file, cert, key, secret_file, log_file, fail_next = sys.argv[1:7]
secret = open(secret_file, "rb").read().strip()
seen = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ts = self.headers.get("X-Wardline-Timestamp", "")
        sig = self.headers.get("X-Wardline-Signature", "")
        want = "sha256=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, want) or abs(time.time() - int(ts or 0)) > 300:
            return self.answer(401, {"error": "bad signature"})
        key = self.headers.get("Idempotency-Key", "")
        if not key:
            return self.answer(400, {"error": "Idempotency-Key is required"})
        if key not in seen:
            command = json.loads(body)
            seen[key] = command
            with open(log_file, "a") as f:
                f.write(json.dumps(command) + "\n")
        if os.path.exists(fail_next):
            os.remove(fail_next)
            return self.answer(500, {"error": "crashed after carrying out the command"})
        self.answer(202, {"accepted": key})


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
