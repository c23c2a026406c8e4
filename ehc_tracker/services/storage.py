"""The document store: where the bytes of uploaded documents live, behind one small interface.

Two stores: the local filesystem (the default: a folder under the instance folder, nothing to set
up) and S3-compatible object storage for production (boto3; the endpoint, bucket, region and
credentials from config.py; server-side encryption is asked for on every write). Both write from
a file object and read back as an iterator of chunks, so that no document is ever held whole in
memory. Keys are made by the service (never from a user's file name) and checked here again.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import current_app

CHUNK_BYTES = 64 * 1024
_KEY = re.compile(r"^[a-z0-9]+(?:/[a-z0-9]+)*$")


class StorageError(RuntimeError):
    """The store could not do what was asked (the message says what, without the document)."""


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or len(key) > 200:
        raise StorageError(f"Not a document key: {key!r}")
    return key


class DocumentStore(Protocol):
    name: str

    def put(self, key: str, source: BinaryIO, *, content_type: str) -> None:
        """Store the bytes read from `source` (from its current position) under `key`."""

    def chunks(self, key: str) -> Iterator[bytes]:
        """The stored bytes, a chunk at a time."""

    def delete(self, key: str) -> None:
        """Remove the bytes; removing what is not there is not an error."""

    def exists(self, key: str) -> bool: ...


class LocalStore:
    """Files in one folder (DOCUMENT_LOCAL_DIR, by default `documents` in the instance folder).

    A file is written under a temporary name beside its place and renamed into it, so a failed
    write leaves nothing at the key."""

    name = "local"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, source: BinaryIO, *, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(CHUNK_BYTES):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def chunks(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise StorageError(f"No stored document at {key}")
        return _read_file(path)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def _read_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


class S3Store:
    """Objects in one bucket of an S3-compatible service, under an optional prefix."""

    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        encryption: str = "AES256",
        kms_key_id: str | None = None,
        client: Any = None,
    ) -> None:
        if not bucket:
            raise StorageError("DOCUMENT_S3_BUCKET is not set")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.encryption = encryption
        self.kms_key_id = kms_key_id
        if client is None:
            import boto3  # type: ignore[import-untyped]

            # Credentials not given here come from boto3's usual places (the environment, the
            # instance's role).
            client = boto3.client(
                "s3",
                endpoint_url=endpoint_url or None,
                region_name=region or None,
                aws_access_key_id=access_key_id or None,
                aws_secret_access_key=secret_access_key or None,
            )
        self.client = client

    def _object(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, source: BinaryIO, *, content_type: str) -> None:
        extra: dict[str, str] = {"ContentType": content_type, "ServerSideEncryption": self.encryption}
        if self.encryption == "aws:kms" and self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        try:
            # Streams from the file object (in parts, for a large one).
            self.client.upload_fileobj(source, self.bucket, self._object(key), ExtraArgs=extra)
        except Exception as exc:  # noqa: BLE001  (boto3 raises many kinds; the caller needs one)
            raise StorageError(f"The document store refused the upload: {exc}") from exc

    def chunks(self, key: str) -> Iterator[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object(key))
        except Exception as exc:  # noqa: BLE001
            raise StorageError(f"No stored document at {key}: {exc}") from exc
        return _read_body(response["Body"])

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._object(key))
        except Exception as exc:  # noqa: BLE001
            raise StorageError(f"The document store could not delete {key}: {exc}") from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        except Exception:  # noqa: BLE001
            return False
        return True

    def encryption_of(self, key: str) -> str | None:
        """The server-side encryption the store reports for the object (for checks and tests)."""
        head = self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        found = head.get("ServerSideEncryption")
        return str(found) if found else None


def _read_body(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK_BYTES)
    finally:
        body.close()


def store_from_settings(config: Any, instance_path: str) -> DocumentStore:
    """The store the settings name (DOCUMENT_STORAGE: "local" or "s3")."""
    kind = (config.get("DOCUMENT_STORAGE") or "local").strip().lower()
    if kind == "local":
        return LocalStore(config.get("DOCUMENT_LOCAL_DIR") or os.path.join(instance_path, "documents"))
    if kind == "s3":
        return S3Store(
            bucket=config.get("DOCUMENT_S3_BUCKET") or "",
            prefix=config.get("DOCUMENT_S3_PREFIX") or "",
            endpoint_url=config.get("DOCUMENT_S3_ENDPOINT_URL"),
            region=config.get("DOCUMENT_S3_REGION"),
            access_key_id=config.get("DOCUMENT_S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("DOCUMENT_S3_SECRET_ACCESS_KEY"),
            encryption=config.get("DOCUMENT_S3_ENCRYPTION") or "AES256",
            kms_key_id=config.get("DOCUMENT_S3_KMS_KEY_ID"),
        )
    raise StorageError(f"DOCUMENT_STORAGE must be local or s3, not {kind!r}")


_SETTINGS = (
    "DOCUMENT_STORAGE",
    "DOCUMENT_LOCAL_DIR",
    "DOCUMENT_S3_BUCKET",
    "DOCUMENT_S3_PREFIX",
    "DOCUMENT_S3_ENDPOINT_URL",
    "DOCUMENT_S3_REGION",
    "DOCUMENT_S3_ACCESS_KEY_ID",
    "DOCUMENT_S3_SECRET_ACCESS_KEY",
    "DOCUMENT_S3_ENCRYPTION",
    "DOCUMENT_S3_KMS_KEY_ID",
)


def document_store() -> DocumentStore:
    """The application's store, made once for its current settings (the S3 client is reused)."""
    app = current_app
    wanted = tuple(app.config.get(name) for name in _SETTINGS)
    cached = app.extensions.get("document_store")
    if cached is not None and cached[0] == wanted:
        return cached[1]  # type: ignore[no-any-return]
    store = store_from_settings(app.config, app.instance_path)
    app.extensions["document_store"] = (wanted, store)
    return store
