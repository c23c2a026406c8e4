"""Test support for documents: small files of each accepted type, the EICAR test string, a
loopback S3 server (moto) and a ClamAV daemon with a signature database made here."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BUCKET = "ehc-documents-test"

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF_BYTES = b"GIF89a" + b"\x00" * 32
DOC_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
TEXT_BYTES = "Notes from the meeting: Zoë will start in September.\n".encode()
# A Windows program: what a renamed .exe starts with.
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run in DOS mode"
)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("payload.exe", EXE_BYTES)
    return buffer.getvalue()


def eicar() -> bytes:
    """The EICAR anti-virus test file, put together here so no file of the repository holds it whole."""
    return b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" + b"-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


# --- S3 (moto's server on loopback) ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def s3_server() -> Iterator[dict[str, str]]:
    """An S3-protocol server on a free loopback port, with the test bucket; the settings to use it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    settings = {
        "DOCUMENT_STORAGE": "s3",
        "DOCUMENT_S3_BUCKET": BUCKET,
        "DOCUMENT_S3_ENDPOINT_URL": f"http://{host}:{port}",
        "DOCUMENT_S3_REGION": "eu-west-2",
        "DOCUMENT_S3_ACCESS_KEY_ID": "testing",
        "DOCUMENT_S3_SECRET_ACCESS_KEY": "testing",
    }
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=settings["DOCUMENT_S3_ENDPOINT_URL"],
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    yield settings
    server.stop()


@pytest.fixture(scope="session")
def local_documents_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("documents"))


# --- ClamAV ---------------------------------------------------------------------------------------


def _clamd() -> str | None:
    found = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)
    return found


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A clamd on a unix socket in a temporary folder, whose only signature is EICAR's. Without
    clamd the tests that need it are skipped, except under CI, where they fail."""
    binary = _clamd()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("clamd is not installed (apt-get install clamav-daemon): CI does not skip the scan tests")
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    folder: Path = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    (folder / "db" / "test.ndb").write_text(f"Eicar-Test-Signature:0:*:{eicar().hex()}\n", encoding="ascii")
    path = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        f"LocalSocket {path}\nDatabaseDirectory {folder / 'db'}\nTemporaryDirectory {folder}\n"
        f"LogFile {folder / 'clamd.log'}\nForeground yes\n",
        encoding="ascii",
    )
    process = subprocess.Popen(  # noqa: S603
        [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while not path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "clamd.log").read_text(errors="replace") if (folder / "clamd.log").exists() else ""
                pytest.fail(f"clamd did not start: {log[-2000:]}")
            time.sleep(0.1)
        yield str(path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def settings_for(store: str, request: Any) -> dict[str, Any]:
    """The app settings for a document store named "local" or "s3"."""
    if store == "s3":
        return dict(request.getfixturevalue("s3_server"))
    return {"DOCUMENT_STORAGE": "local", "DOCUMENT_LOCAL_DIR": request.getfixturevalue("local_documents_dir")}
