#!/usr/bin/env python3
"""A sample reader connector in Python (docs/grading.md), with requests and requests_ntlm.

It reads every Activity Record once, in XML, and forwards it (here: appends its RID to forwarded.txt in the state
directory). A run reads until a page with no records, the end of the data, keeps the last Continuation mark as its
checkpoint in NWA_STATE_DIR/reader-checkpoint.json and stops, like a scheduled task; the next run posts that mark and
gets only what is new. It authenticates with NTLM, Digest or Basic, whichever the server offers, in that order; on a
500, a 503 or a lost answer it waits longer each time and posts the same mark again.

    NWA_URL=https://127.0.0.1:9699 NWA_USER='ENTERPRISE\\GlobalReviewer' NWA_PASSWORD=NetwrixIsCool \\
    NWA_CA_FILE=server.pem NWA_STATE_DIR=state python3 examples/connectors/python/reader.py

Debian: apt-get install python3-requests python3-requests-ntlm.
"""
import hashlib
import json
import os
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from xml.sax.saxutils import escape

NAMESPACE = 'http://schemas.netwrix.com/api/v1/activity_records/'
API = '/netwrix/api/v1'


def ensure_md4():
    """NTLM hashes the password with MD4, which OpenSSL 3 keeps in its legacy provider: load it, by starting again."""
    try:
        hashlib.new('md4')
        return
    except ValueError:
        pass
    if os.environ.get('NWA_SAMPLE_LEGACY_OPENSSL'):
        return
    conf = os.path.join(tempfile.gettempdir(), 'nwa-sample-openssl-legacy.cnf')
    with open(conf, 'w') as file:
        # The default provider is listed too: activating legacy alone would replace it.
        file.write('openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\n'
                   'default = default_sect\nlegacy = legacy_sect\n[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n')
    env = dict(os.environ, OPENSSL_CONF=conf, NWA_SAMPLE_LEGACY_OPENSSL='1')
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


ensure_md4()

import requests  # noqa: E402  (after the OpenSSL setup above)
from requests.auth import HTTPBasicAuth, HTTPDigestAuth  # noqa: E402
from requests_ntlm import HttpNtlmAuth  # noqa: E402


def log(line):
    print(f'[reader.py] {line}', flush=True)


class Behaviour:
    """Each decision the reader makes, the documented way; the self-test's seeded defects change one (defects.py)."""

    schemes = ('NTLM', 'Digest', 'Basic')
    timeout = 60

    def mark_body(self, mark):
        """A mark goes back as it came, in the ContinuationMark element of the documented namespace."""
        return f'<ContinuationMark xmlns="{NAMESPACE}">{escape(mark)}</ContinuationMark>'

    def after_cut(self, mark, partial_body):
        """After an answer that broke off: the same mark again (what was received is not a page)."""
        return mark

    def delays(self):
        delay = 0.25
        while True:
            yield delay
            delay = min(delay * 2, 4)


behaviour = Behaviour()
if os.environ.get('NWA_SAMPLE_DEFECT'):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from defects import reader_defect  # noqa: E402

    behaviour = reader_defect(os.environ['NWA_SAMPLE_DEFECT'], behaviour)


class Transient(Exception):
    """A 500, a 503 or an answer that did not come whole: worth another try."""

    def __init__(self, message, partial=''):
        super().__init__(message)
        self.partial = partial


class Client:
    def __init__(self):
        self.root = os.environ['NWA_URL'].rstrip('/')
        self.user = os.environ['NWA_USER']
        self.password = os.environ['NWA_PASSWORD']
        self.session = requests.Session()
        self.session.headers['User-Agent'] = 'nwa-kit-sample-reader/1.0 (python requests)'
        # Given with each request: requests lets REQUESTS_CA_BUNDLE override a session's own verify setting.
        self.verify = os.environ.get('NWA_CA_FILE') or True

    def choose_auth(self, response):
        """The first of behaviour.schemes the server's 401 offers."""
        offered = response.headers.get('WWW-Authenticate', '')
        words = {part.strip().split(' ')[0].lower() for part in offered.split(',') if part.strip()}
        builders = {'NTLM': HttpNtlmAuth, 'Digest': HTTPDigestAuth, 'Basic': HTTPBasicAuth}
        for scheme in behaviour.schemes:
            if scheme.lower() in words:
                log(f'authenticating with {scheme}')
                self.session.auth = builders[scheme](self.user, self.password)
                return
        raise SystemExit(f'the server offers {offered!r}, none of {", ".join(behaviour.schemes)}')

    def request(self, method, path, body):
        """One request, its answer read whole; an answer that breaks off is Transient, with what did arrive."""
        headers = {'Content-Type': 'application/xml; charset=utf-8'} if body else {}
        chunks = []
        try:
            response = self.session.request(method, self.root + API + path, data=body, headers=headers, timeout=(10, behaviour.timeout), stream=True, verify=self.verify)
            for chunk in response.iter_content(64 * 1024):
                chunks.append(chunk)
        except requests.exceptions.SSLError as error:
            raise SystemExit(f'{method} {path}: the TLS handshake failed (is NWA_CA_FILE the server\'s certificate?): {error}') from error
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.exceptions.Timeout) as error:
            raise Transient(f'{method} {path}: {error.__class__.__name__}', b''.join(chunks).decode('utf-8', 'replace')) from error
        content = b''.join(chunks)
        # urllib3 before 2.0 does not check that an answer is as long as its Content-Length said: a cut page would pass.
        expected = response.headers.get('Content-Length')
        if expected is not None and int(expected) != len(content):
            raise Transient(f'{method} {path}: the answer broke off after {len(content)} of {expected} bytes', content.decode('utf-8', 'replace'))
        response._content = content
        return response

    def send(self, method, path, body=None):
        response = self.request(method, path, body)
        if response.status_code == 401:
            # The first 401 says which schemes the server offers; one after our credentials means they were refused.
            if self.session.auth is not None:
                raise SystemExit(f'{method} {path}: {self.user} was refused (401)')
            self.choose_auth(response)
            response = self.request(method, path, body)
            if response.status_code == 401:
                raise SystemExit(f'{method} {path}: {self.user} was refused (401)')
        if response.status_code in (500, 503):
            raise Transient(f'{method} {path}: {response.status_code}')
        return response


def read_page(client, mark):
    if mark is None:
        response = client.send('GET', '/activity_records/enum')
    else:
        response = client.send('POST', '/activity_records/enum', behaviour.mark_body(mark).encode('utf-8'))
    if response.status_code != 200:
        raise SystemExit(f'read: {response.status_code} {response.text[:300]}')
    root = ElementTree.fromstring(response.content)
    return root.findtext(f'{{{NAMESPACE}}}ContinuationMark'), root.findall(f'{{{NAMESPACE}}}ActivityRecord')


def main():
    state_dir = os.environ.get('NWA_STATE_DIR', '.')
    os.makedirs(state_dir, exist_ok=True)
    checkpoint_file = os.path.join(state_dir, 'reader-checkpoint.json')
    mark = json.load(open(checkpoint_file))['mark'] if os.path.exists(checkpoint_file) else None
    log('going on from the checkpoint' if mark else 'no checkpoint: reading from the first record')
    client = Client()
    read = 0
    while True:
        delays = behaviour.delays()
        for attempt in range(6):
            try:
                next_mark, records = read_page(client, mark)
                break
            except Transient as trouble:
                if attempt == 5:
                    raise SystemExit(f'read: {trouble}; giving up')
                delay = next(delays)
                log(f'read: {trouble}; trying again in {delay} s')
                mark = behaviour.after_cut(mark, trouble.partial)
                time.sleep(delay)
        with open(os.path.join(state_dir, 'forwarded.txt'), 'a') as forwarded:
            forwarded.writelines(f'{record.findtext(f"{{{NAMESPACE}}}RID")}\n' for record in records)
        read += len(records)
        # Written whole or not at all, so a run stopped at any moment finds a checkpoint it can use.
        with open(checkpoint_file + '.new', 'w') as file:
            json.dump({'mark': next_mark}, file)
        os.replace(checkpoint_file + '.new', checkpoint_file)
        if not records:
            break
        mark = next_mark
    log(f'read {read} records; at the end of the data, checkpoint saved')


if __name__ == '__main__':
    main()
